// "Print" buttons on the council summary: a handler here, not an onclick attribute (the
// Content-Security-Policy runs no inline script).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
