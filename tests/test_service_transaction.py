"""The service transaction (opencity.db.service_transaction): work other apps do after each write
(the dashboard's refresh of an issue's rows) is gathered and done once, at the end of the outermost
block, still inside its transaction; dropped with the writes when the block fails."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.models import DailyCount, IssueFact, StatusSpan
from issues.models import Issue
from opencity.db import at_service_end, service_transaction, service_work_now


class Work:
    """A stand-in for the dashboard's refresh: records what it was given, and whether a transaction
    was open then."""

    def __init__(self) -> None:
        self.calls: list[tuple[list, bool]] = []

    def __call__(self, items: list) -> None:
        self.calls.append((items, connection.in_atomic_block))


@pytest.mark.django_db(transaction=True)
def test_work_asked_for_is_done_once_at_the_end_of_the_outermost_block_inside_its_transaction():
    work = Work()
    with service_transaction():
        at_service_end("refresh", work, [1])
        at_service_end("refresh", work, [2, 1])
        with service_transaction():  # a service called by a service joins its transaction
            at_service_end("refresh", work, [3])
        assert work.calls == []
        at_service_end("refresh", work, [1])
    assert work.calls == [([1, 2, 3], True)]  # each item once, in the order first asked for
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_outside_a_service_transaction_work_is_done_at_once():
    work = Work()
    at_service_end("refresh", work, [7])
    assert work.calls == [([7], False)]


@pytest.mark.django_db(transaction=True)
def test_work_of_a_failed_block_is_dropped_with_its_writes():
    work = Work()
    with pytest.raises(ValueError), service_transaction():
        at_service_end("refresh", work, [1])
        raise ValueError
    with service_transaction():
        at_service_end("refresh", work, [2])
    assert work.calls == [([2], True)]  # nothing of the failed block, and the next one starts clean


@pytest.mark.django_db(transaction=True)
def test_work_can_be_done_before_the_end_and_what_is_asked_later_is_gathered_again():
    work = Work()
    with service_transaction():
        at_service_end("refresh", work, [1])
        service_work_now()  # e.g. before taking a lock held to the commit
        assert work.calls == [([1], True)]
        at_service_end("refresh", work, [1])
    assert work.calls == [([1], True), ([1], True)]


def test_a_report_refreshes_the_dashboard_once_with_both_events_before_the_reference(world, report):
    report()
    with CaptureQueriesContext(connection) as captured:
        issue = report(where=world.inside_east)
    statements = [q["sql"] for q in captured.captured_queries]
    refreshes = [n for n, sql in enumerate(statements) if "dashboard_dailycount" in sql]
    routed = next(n for n, sql in enumerate(statements) if "'routed'" in sql)
    counter = next(n for n, sql in enumerate(statements) if "issues_issuerefcounter" in sql)
    assert len(refreshes) == 1 and routed < refreshes[0] < counter
    # The rows are the issue as routed: its report counted once, its assigned span open (the `new`
    # one lasted no time).
    assert IssueFact.objects.filter(issue_id=issue.pk).count() == 1
    assert list(StatusSpan.objects.filter(issue_id=issue.pk).values_list("status", flat=True)) == ["assigned"]
    assert sum(DailyCount.objects.values_list("received", flat=True)) == Issue.objects.count() == 2


# --- insert_together: rows that belong together in one statement ----------------------------------


def _stored(instance) -> dict:
    """Every column of the row as the ORM reads it back."""
    fresh = type(instance).objects.get(pk=instance.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields if f.attname != "id"}


def _twins(world, suffix: str):
    from issues.models import IssueEvent, IssueFollower
    from tests.world import TUESDAY_10 as now

    issue = Issue(
        ref=f"~twin-{suffix}", category=world.pothole, description="Яма", address="вул. Стрийська, 1",
        attributes={"depth_cm": 12, "note": "глибока"}, point=world.inside_west, district=world.west,
        status="new", reporter=world.citizen, source="api", created_at=now, updated_at=now,
    )  # fmt: skip
    follower = IssueFollower(issue=issue, user=world.citizen, reason="reporter", created_at=now)
    event = IssueEvent(issue=issue, kind="created", at=now, actor=world.citizen, to_status="new", data={"n": 1})
    return issue, follower, event


def test_rows_inserted_together_are_the_rows_save_writes(world):
    from opencity.db import insert_together

    together = _twins(world, "together")
    insert_together(*together)
    one_by_one = _twins(world, "saved")
    for obj in one_by_one:
        if obj is not one_by_one[0]:
            obj.issue = one_by_one[0]  # the key the saved issue got
        obj.save()
    for inserted, saved in zip(together, one_by_one, strict=True):
        assert inserted.pk and not inserted._state.adding and inserted._state.db == "default"
        expected = _stored(saved)
        if "issue_id" in expected:
            assert inserted.issue_id == together[0].pk
            expected["issue_id"] = together[0].pk
        if "ref" in expected:
            expected["ref"] = "~twin-together"
        assert _stored(inserted) == expected


def test_rows_inserted_together_send_the_save_signals_in_order(world):
    from django.db.models.signals import post_save, pre_save

    from opencity.db import insert_together

    heard = []

    def listen(signal_name):
        def receiver(sender, instance, **kwargs):
            heard.append((signal_name, sender.__name__, instance.pk, kwargs.get("created")))

        return receiver

    before, after = listen("pre_save"), listen("post_save")
    pre_save.connect(before)
    post_save.connect(after)
    try:
        issue, follower, event = _twins(world, "signals")
        insert_together(issue, follower, event)
    finally:
        pre_save.disconnect(before)
        post_save.disconnect(after)
    assert heard == [
        ("pre_save", "Issue", None, None),
        ("pre_save", "IssueFollower", None, None),
        ("pre_save", "IssueEvent", None, None),
        ("post_save", "Issue", issue.pk, True),
        ("post_save", "IssueFollower", follower.pk, True),
        ("post_save", "IssueEvent", event.pk, True),
    ]
    # The dashboard heard of the `created` event as of any other (its refresh ran: no service
    # transaction was open).
    assert IssueFact.objects.filter(issue_id=issue.pk).exists()


def test_a_refused_row_inserts_none_of_them(world, report):
    from django.db import IntegrityError, transaction

    from issues.models import IssueEvent
    from opencity.db import insert_together

    taken = report().ref
    issue, follower, event = _twins(world, "refused")
    issue.ref = taken  # unique: the statement is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(issue, follower, event)
    assert Issue.objects.count() == 1 and IssueEvent.objects.count() == 2  # the report's, routed
