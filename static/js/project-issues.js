/* On a budget project's page: the citizens' reports planned against it and the open ones around it,
   from the issues API. Texts come from the API (already in the page's language) and are set with
   textContent only. */
(function () {
  "use strict";
  var section = document.getElementById("project-issues");
  if (!section) { return; }
  var project = section.dataset.projectId;

  function fill(kind, query) {
    var list = section.querySelector('[data-list="' + kind + '"]');
    var empty = section.querySelector('[data-empty="' + kind + '"]');
    return fetch("/api/v1/issues/?" + query + "&limit=100", { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (collection) {
        collection.features.forEach(function (feature) {
          var p = feature.properties;
          var item = document.createElement("li");
          item.dataset.ref = p.ref;
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.ref;
          var text = document.createElement("span");
          text.textContent = " · " + p.category_name + " · " + p.title;
          item.append(link, text);
          list.appendChild(item);
        });
        empty.hidden = collection.features.length > 0;
      });
  }

  Promise.all([
    fill("planned", "budget_project=" + encodeURIComponent(project) + "&status="),
    fill("near", "near_budget_project=" + encodeURIComponent(project))
  ]).then(function () { section.dataset.loaded = "true"; });
})();
