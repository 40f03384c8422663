"""Issue 11, "smaller": each guard below failed before its fix."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from accounts.api_keys import api_key_issue
from issues.models import Issue, IssueFollower
from issues.services import TransitionInput, issue_create, issue_transition
from issues.services import sla as sla_module
from issues.services.sla import sla_sweep
from issues.services.support import issue_support
from open311.models import Open311Submission
from open311.services import open311_submission_erase_contact
from opencity.errors import Conflict
from tests.world import TUESDAY_10, kyiv


@pytest.mark.django_db
def test_erasing_contact_clears_every_contact_field(world, report):
    issue = report()
    key, _raw = api_key_issue(user=world.other_citizen, name="Civic App", created_by=world.dispatcher)
    submission = Open311Submission.objects.create(
        issue=issue,
        api_key=key,
        email="olena@example.net",
        first_name="Olena",
        last_name="Kovalenko",
        phone="+380671234567",
        device_id="dev-1",
        account_id="acc-1",
        address_id="flat-12-Stryiska-10",
        media_url="https://example.net/olena-at-home.jpg",
    )
    open311_submission_erase_contact(submission=submission)
    submission.refresh_from_db()
    values = [getattr(submission, name) for name in ("email", "first_name", "last_name", "phone", "device_id")]
    values += [submission.account_id, submission.address_id, submission.media_url]
    assert values == [""] * 8


@pytest.mark.django_db
def test_one_refused_close_does_not_stop_the_sweep(world, report, monkeypatch, caplog):
    first, second = report(), report(description="Ще одна яма на тротуарі")
    for issue in (first, second):
        issue_transition(
            issue=issue,
            actor=world.roads_staff,
            action="resolve",
            data=TransitionInput(note="Готово"),
            now=kyiv(2026, 12, 2, 9, 0),
        )
    real = sla_module.issue_transition

    def refuse_the_first(*, issue, **kwargs):
        if issue.pk == first.pk:
            raise Conflict("changed meanwhile", code="conflict")
        return real(issue=issue, **kwargs)

    monkeypatch.setattr(sla_module, "issue_transition", refuse_the_first)
    result = sla_sweep(now=kyiv(2026, 12, 30, 9, 0))
    assert (result.closed, result.skipped) == (1, 1)
    assert Issue.objects.get(pk=second.pk).status == "closed"
    assert Issue.objects.get(pk=first.pk).status == "resolved"
    assert first.ref in caplog.text


@pytest.mark.django_db
def test_me_too_checks_openness_under_the_lock(world, report):
    issue = report()
    stale = Issue.objects.get(pk=issue.pk)  # read while open, as a page would
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="resolve",
        data=TransitionInput(note="Готово"),
        now=kyiv(2026, 12, 2, 9, 0),
    )
    assert stale.is_open
    with pytest.raises(Conflict):
        issue_support(issue=stale, user=world.other_citizen)
    assert not IssueFollower.objects.filter(issue=issue, user=world.other_citizen).exists()
    assert Issue.objects.get(pk=issue.pk).support_count == 0


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_with_one_key_answer_the_same_issue(world):
    """The first request has inserted its issue but not committed; the retry's lookup misses it,
    its insert waits on the unique index and then fails: it must answer the first issue."""
    inserted, outcomes = threading.Event(), {}

    def submit(name, hold):
        try:
            with transaction.atomic():
                result = issue_create(
                    reporter=world.citizen,
                    category=world.pothole,
                    description="Глибока яма посеред дороги",
                    point=world.inside_west,
                    idempotency_key="retry-key-1",
                    now=TUESDAY_10,
                )
                if hold:
                    inserted.set()
                    _wait_for_a_lock_waiter()
            outcomes[name] = (result.issue.pk, result.created)
        except Exception as error:  # noqa: BLE001 - the test reports whatever escaped
            outcomes[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=submit, args=("first", True))
    first.start()
    assert inserted.wait(timeout=30)
    second = threading.Thread(target=submit, args=("second", False))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    issue = Issue.objects.get()
    assert outcomes == {"first": (issue.pk, True), "second": (issue.pk, False)}


def _wait_for_a_lock_waiter(timeout: float = 10) -> None:
    """Poll (on another connection) until some backend waits on a lock: the retry's insert."""
    watcher = connections.create_connection("default")
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.02)
    finally:
        watcher.close()
