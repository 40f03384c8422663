"""An issue hidden by moderation leaks to nobody but its reporter: not on /me/, not by e-mail, and a
merge does not move other people onto it."""

import pytest
from django.core import mail
from django.test import Client

from issues.models import IssueFollower
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_set_hidden
from issues.services.support import issue_support
from tests.world import kyiv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def test_me_page_drops_a_hidden_issue_one_supports_but_keeps_ones_own(world, report):
    issue = report(description="Прихована історія з іменем сусіда")
    issue_support(issue=issue, user=world.other_citizen)
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Персональні дані")
    supporter = Client()
    supporter.force_login(world.other_citizen)
    page = supporter.get("/me/").content.decode()
    assert issue.ref not in page
    reporter = Client()
    reporter.force_login(world.citizen)
    assert issue.ref in reporter.get("/me/").content.decode()


def test_status_mail_of_a_hidden_issue_goes_to_its_reporter_only(world, report, django_capture_on_commit_callbacks):
    issue = report()
    issue_support(issue=issue, user=world.other_citizen)
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Персональні дані")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(
            issue=issue,
            actor=world.roads_staff,
            action="resolve",
            data=TransitionInput(note="Залатали; ключ від підвалу у пана Петра"),
            now=kyiv(2026, 12, 2, 9, 0),
        )
    assert sorted(m.to[0] for m in mail.outbox if "Залатали" in m.body) == ["citizen@example.org"]


def test_merging_into_a_hidden_original_moves_nobody_there(world, report):
    original = report(description="Оригінал, прихований модератором")
    copy = report(reporter=world.other_citizen, description="Копія від сусіда")
    issue_set_hidden(issue=original, actor=world.dispatcher, hidden=True, note="Образи")
    issue_transition(
        issue=copy,
        actor=world.dispatcher,
        action="merge",
        data=TransitionInput(duplicate_of=original),
        now=kyiv(2026, 12, 1, 11, 0),
    )
    assert not IssueFollower.objects.filter(issue=original, user=world.other_citizen).exists()
