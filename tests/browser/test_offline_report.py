"""A report survives a lost connection (issue 14, item 5): filled in with the browser's network
switched off, it is kept on the device (photo included), still there after a reload served by the
service worker, and sent exactly once when the network is back — even when the server's first
answer is lost on the way and the browser has to ask again with the same Idempotency-Key."""

from __future__ import annotations

import pytest

from issues.models import Issue
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.media_store.media import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Збережено на пристрої, надішлемо, щойно з'явиться зв'язок."
DESCRIPTION = "Впало дерево на тротуар, не пройти"
DRAFTS_ON_DEVICE = """() => new Promise((resolve) => {
  const open = indexedDB.open("opencity-drafts");
  // No database (yet, or any more): nothing kept. Creating an empty one here would break the page's.
  open.onupgradeneeded = () => open.transaction.abort();
  open.onerror = () => resolve({ drafts: [], files: 0 });
  open.onsuccess = () => {
    const tx = open.result.transaction(["drafts", "files"]);
    const drafts = tx.objectStore("drafts").getAll();
    const files = tx.objectStore("files").count();
    tx.oncomplete = () => { resolve({ drafts: drafts.result, files: files.result }); open.result.close(); };
  };
})"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def drafts_until(page, condition: str, timeout_ms: int = 15_000) -> dict:
    """Poll the drafts kept on the device until `condition` (JS over `kept`) holds; return them.
    (wait_for_function would take the predicate's Promise itself for a truthy answer.)"""
    waited = 0
    while True:
        kept = page.evaluate(f"({DRAFTS_ON_DEVICE})().then(kept => ({{ kept, ok: Boolean({condition}) }}))")
        if kept["ok"]:
            return kept["kept"]
        assert waited < timeout_ms, f"the drafts on the device never satisfied {condition}: {kept['kept']}"
        page.wait_for_timeout(100)
        waited += 100


def controlled_by_the_worker(page) -> None:
    """Wait until the service worker has installed (its cache filled) and controls the page. An
    install that failed (a request refused by a busy test server) is tried again on the next page
    load, as a phone would."""
    state_js = """navigator.serviceWorker.getRegistration().then(r => navigator.serviceWorker.controller ? "controlled"
      : !r ? "none" : (r.installing || r.waiting || r.active) ? "installing" : "failed")"""
    reloaded, waited = False, 0
    while (state := page.evaluate(state_js)) != "controlled":
        if state == "failed" and not reloaded:
            page.reload()
            reloaded = True
        assert waited < 30_000, f"the service worker does not control the page: {state}"
        page.wait_for_timeout(200)
        waited += 200


def start_report_offline(page) -> None:
    page.get_by_role("button", name="Повідомити про проблему").click()
    page.context.set_offline(True)
    page.locator("#map").click(position={"x": 180, "y": 200})
    page.wait_for_selector("#report[data-point]")
    page.get_by_label("Яма").check()
    page.fill("#report-description", DESCRIPTION)
    photo = image_bytes("JPEG", (640, 480))
    page.set_input_files("#report-photos", files=[{"name": "tree.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.wait_for_selector(".media-item .media-status:text('Збережено на пристрої')")


def test_a_report_made_offline_is_sent_once_when_the_network_is_back(new_page, world):
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    before = Issue.objects.count()
    page = new_page(PHONE)
    # This is the page's own sending (online event, retries); the worker's (Background Sync) is the
    # test below. Without `registration.sync` the page does not hand the report to the worker.
    page.context.add_init_script(
        "Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', { get: () => undefined })"
    )
    sign_in(page, "citizen")
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    controlled_by_the_worker(page)

    start_report_offline(page)
    page.get_by_role("button", name="Надіслати звернення").click()
    page.wait_for_selector(f'#report-outbox-text:text("{SAVED}")')
    assert page.locator("#report-submit").is_hidden()
    assert page.locator("#report-description").is_disabled()  # what is sent is what was queued
    screenshot(page, "report-saved-offline-phone")
    assert Issue.objects.count() == before

    # Reloaded without a network: the service worker answers with the offline copy of the map,
    # and the queued report is still there, photo included.
    page.reload()
    page.wait_for_selector("#report[data-restored]", state="attached")
    assert page.locator("#offline-notice").is_visible()
    assert page.input_value("#report-description") == DESCRIPTION
    assert page.locator('input[name="category"][value="pothole"]').is_checked()
    assert page.locator(".media-item .media-name").all_inner_texts() == ["tree.jpg"]
    assert page.get_attribute("#report", "data-point")
    assert page.locator("#report-outbox-text").inner_text() == SAVED
    stored = page.evaluate(DRAFTS_ON_DEVICE)
    assert [draft["status"] for draft in stored["drafts"]] == ["queued"]
    assert stored["files"] == 1
    key = stored["drafts"][0]["key"]
    screenshot(page, "report-restored-offline-phone")
    assert Issue.objects.count() == before

    # The network comes back, but the first answer is lost: the report reaches the server (the
    # issue is made) and the browser never hears back. It asks again with the same key.
    posts: list[dict] = []

    def lose_the_first_answer(route) -> None:
        request = route.request
        if request.method != "POST":
            route.fallback()
            return
        response = route.fetch()
        posts.append({"key": request.headers.get("idempotency-key"), "status": response.status})
        if len(posts) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.context.route("**/api/v1/issues/", lose_the_first_answer)
    page.context.set_offline(False)
    page.wait_for_selector("#report-done:not([hidden])", timeout=30_000)
    ref = page.locator("#done-ref").inner_text()
    assert page.get_attribute("#done-ref", "href") == f"/issues/{ref}/"
    screenshot(page, "report-sent-after-offline-phone")

    assert [post["key"] for post in posts] == [key, key]
    assert [post["status"] for post in posts] == [201, 200]  # made once, then found by its key
    assert Issue.objects.count() == before + 1
    issue = Issue.objects.get(ref=ref)
    assert (issue.reporter, issue.category.code, issue.description) == (world.citizen, "pothole", DESCRIPTION)
    assert issue.idempotency_key == key
    assert issue.media.count() == 1  # the photo kept on the device went with it
    assert page.evaluate(DRAFTS_ON_DEVICE) == {"drafts": [], "files": 0}

    # Nothing is sent again: not on the next page load, nor later.
    page.goto("/")
    page.wait_for_selector("#report[data-restored]", state="attached")
    page.wait_for_timeout(500)
    assert page.locator("#report").is_hidden()
    assert len(posts) == 2
    assert Issue.objects.count() == before + 1


def test_a_draft_survives_a_closed_page(new_page, world):
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    page = new_page(PHONE)
    sign_in(page, "citizen")
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.get_by_role("button", name="Повідомити про проблему").click()
    page.locator("#map").click(position={"x": 180, "y": 200})
    page.get_by_label("Яма").check()
    page.fill("#report-description", DESCRIPTION)
    drafts_until(page, f"kept.drafts.some(d => d.description === {DESCRIPTION!r})")
    context = page.context
    page.close()

    again = context.new_page()
    again.goto("/")
    again.wait_for_selector("#report[data-restored]", state="attached")
    assert again.locator("#report").is_visible()
    assert again.input_value("#report-description") == DESCRIPTION
    assert again.locator('input[name="category"][value="pothole"]').is_checked()
    assert again.get_attribute("#report", "data-point")
    restored = "Відновлено незавершене звернення, збережене на цьому пристрої."
    assert again.locator("#where-status").inner_text() == restored
    again.close()


def test_chromium_finds_the_site_installable(new_page, world):
    page = new_page(PHONE)
    page.goto("/budget/")
    controlled_by_the_worker(page)
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    errors = [error["errorId"] for error in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    # Playwright's contexts are incognito profiles, where Chromium installs nothing; nothing else is missing.
    assert errors == ["in-incognito"]
    # The worker took nothing personal or from the API into its cache.
    cached = page.evaluate(
        "async () => { const urls = []; for (const name of await caches.keys()) {"
        " for (const request of await (await caches.open(name)).keys()) { urls.push(new URL(request.url).pathname); } }"
        " return urls; }"
    )
    assert "/offline/" in cached
    assert all(url == "/offline/" or url.startswith("/static/") for url in cached), cached


def test_signing_out_forgets_the_drafts_on_the_device(new_page, world):
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    page = new_page(PHONE)
    sign_in(page, "citizen")
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.get_by_role("button", name="Повідомити про проблему").click()
    page.fill("#report-description", DESCRIPTION)
    drafts_until(page, "kept.drafts.length === 1")
    page.get_by_role("button", name="Вийти").click()
    page.wait_for_selector("a:text('Увійти')")
    assert page.evaluate(DRAFTS_ON_DEVICE) == {"drafts": [], "files": 0}
    page.goto("/")
    page.wait_for_selector("#report[data-restored]", state="attached")
    assert page.locator("#report").is_hidden()


def test_the_service_worker_sends_a_queued_report_when_no_page_is_open(new_page, world):
    """Background Sync: the page that queued the report is closed; the worker's sync handler sends
    it, once. The test fires the sync event through the DevTools protocol rather than wait for
    Chromium's own (which may come too, on reconnecting: the shared key keeps it one issue)."""
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    before = Issue.objects.count()
    page = new_page(PHONE)
    sign_in(page, "citizen")
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    controlled_by_the_worker(page)
    start_report_offline(page)
    page.get_by_role("button", name="Надіслати звернення").click()
    page.wait_for_selector(f'#report-outbox-text:text("{SAVED}")')
    tags = page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.getTags())")
    assert tags == ["opencity-reports"]
    [draft] = page.evaluate(DRAFTS_ON_DEVICE)["drafts"]
    context = page.context
    page.close()
    context.set_offline(False)
    assert Issue.objects.count() == before

    other = context.new_page()
    other.goto("/contacts/")  # a page without the report form: only the worker can send it
    controlled_by_the_worker(other)
    cdp = context.new_cdp_session(other)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    other.wait_for_timeout(200)
    [registration] = [r for r in registrations if not r["isDeleted"]]
    for _ in range(2):  # a second sync (a retry) finds nothing left to send
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": registration["scopeURL"].rstrip("/"),
                "registrationId": registration["registrationId"],
                "tag": "opencity-reports",
                "lastChance": False,
            },
        )
        sent = f"kept.drafts.some(d => d.key === {draft['key']!r} && d.status === 'sent')"
        drafts_until(other, sent)
    stored = other.evaluate(DRAFTS_ON_DEVICE)
    assert Issue.objects.count() == before + 1, (
        before,
        list(Issue.objects.values_list("ref", "idempotency_key")),
        stored,
    )
    issue = Issue.objects.get(idempotency_key=draft["key"])
    assert (issue.reporter, issue.description, issue.media.count()) == (world.citizen, DESCRIPTION, 1)

    # Opening the map shows what became of it, once.
    other.goto("/")
    other.wait_for_selector("#report-done:not([hidden])")
    assert other.locator("#done-ref").inner_text() == issue.ref
    assert other.get_attribute("#done-ref", "href") == f"/issues/{issue.ref}/"
    assert other.evaluate(DRAFTS_ON_DEVICE) == {"drafts": [], "files": 0}
    assert Issue.objects.count() == before + 1
