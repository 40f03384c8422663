"""Alert e-mails: sent by the worker, once per event and address however often a task runs, in the
subscriber's language, text and HTML, with one-click unsubscribe headers; hidden and pending issues
never go out, and an issue hidden before the digest is dropped from it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from alerts.delivery import alerts_notify_event, alerts_send_digests, send_alert_digests, send_alerts_for_event
from alerts.models import AlertFrequency, AlertKind
from issues.models import IssueEvent, IssueEventKind, NotificationDelivery
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_set_hidden
from issues.services.reporting import issues_release_after_confirmation
from tests.factories import UserFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def now():
    return timezone.now()


def run_worker():
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)


def alert_mail(to: str = "watcher@example.org") -> list:
    return [message for message in mail.outbox if message.to == [to]]


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_an_immediate_alert_once_even_when_the_task_runs_twice(world, report, make_alert, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    make_alert(AlertKind.DISTRICT, frequency=AlertFrequency.IMMEDIATE)
    issue = report(now=now())
    tasks = DBTaskResult.objects.filter(task_path=send_alerts_for_event.module_path)
    # `created`, and the platform's `routed` (which matches no alert, but is a status change).
    assert tasks.filter(status=TaskResultStatus.READY).count() == 2
    assert alert_mail() == []
    run_worker()
    created = IssueEvent.objects.get(issue=issue, kind=IssueEventKind.CREATED)
    [message] = alert_mail()
    assert issue.ref in message.subject and "Pothole" in message.subject  # the subscriber reads English
    # A worker killed after sending runs the task again; a second worker runs it at the same time.
    send_alerts_for_event.enqueue(created.pk)
    send_alerts_for_event.enqueue(created.pk)
    run_worker()
    assert len(alert_mail()) == 1
    assert alerts_notify_event(event_id=created.pk) == 0
    assert list(
        NotificationDelivery.objects.filter(email="watcher@example.org").values_list("event_id", flat=True)
    ) == [created.pk]


@pytest.mark.django_db
def test_an_immediate_alert_is_text_and_html_with_one_click_unsubscribe(world, report, make_alert, settings):
    settings.OPENCITY_SITE_URL = "https://opencity.example"
    alert = make_alert(AlertKind.DISTRICT, frequency=AlertFrequency.IMMEDIATE, name="Біля школи")
    issue = report(now=now(), description='Яма <b>"глибока"</b>')
    created = IssueEvent.objects.get(issue=issue, kind=IssueEventKind.CREATED)
    assert alerts_notify_event(event_id=created.pk) == 1
    [message] = mail.outbox
    assert message.to == ["watcher@example.org"]
    unsubscribe = re.search(r"https://opencity\.example/alerts/unsubscribe/[^/\s]+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://opencity.example/issues/{issue.ref}/" in message.body
    assert 'Яма <b>"глибока"</b>' in message.body  # plain text is not HTML-escaped
    assert "You get this e-mail because you set up the alert “Біля школи”" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "Яма &lt;b&gt;&quot;глибока&quot;&lt;/b&gt;" in html  # HTML is
    assert f'href="{unsubscribe}"' in html
    assert alert.feed_token in message.body


@pytest.mark.django_db
def test_the_e_mail_is_in_the_subscribers_language(world, report, make_alert):
    ukrainian = UserFactory(username="olena", email="olena@example.org", language="uk")
    make_alert(AlertKind.DISTRICT, user=ukrainian, frequency=AlertFrequency.IMMEDIATE)
    issue = report(now=now())
    alerts_notify_event(event_id=IssueEvent.objects.get(issue=issue, kind=IssueEventKind.CREATED).pk)
    [message] = alert_mail("olena@example.org")
    assert message.subject == f"Нове звернення {issue.ref} (Яма) — район Західний"
    assert "Статус: " in message.body


@pytest.mark.django_db
def test_the_digest_is_sent_once_and_drops_an_issue_hidden_since(world, report, make_alert):
    make_alert(AlertKind.DISTRICT)
    kept = report(now=now() - datetime.timedelta(hours=3), description="Яма біля школи")
    hidden = report(now=now() - datetime.timedelta(hours=2), description="Особисті дані: кв. 7")
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="особисті дані")
    assert alerts_send_digests() == 1
    [message] = alert_mail()
    assert kept.ref in message.body and hidden.ref not in message.body
    assert "кв. 7" not in message.body and "кв. 7" not in message.alternatives[0][0]
    assert message.subject == "1 event today — district West"
    # The timer fires twice, or a pass is retried: nothing new, nothing sent.
    assert alerts_send_digests() == 0
    call_command("opencity_alert_digest", verbosity=0)
    assert len(alert_mail()) == 1
    # Shown again, the issue is news the next time.
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=False, note="виправлено")
    assert alerts_send_digests() == 1
    assert hidden.ref in alert_mail()[-1].body


@pytest.mark.django_db
def test_a_pending_report_goes_out_only_once_its_reporter_confirms(
    world, report, make_alert, django_capture_on_commit_callbacks, immediate_tasks
):  # noqa: ARG001
    make_alert(AlertKind.DISTRICT, frequency=AlertFrequency.IMMEDIATE)
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        issue = report(reporter=newcomer, now=now())
    assert alert_mail() == []
    assert alerts_send_digests() == 0
    newcomer.email_confirmed_at = now()
    newcomer.save()
    with django_capture_on_commit_callbacks(execute=True):
        issues_release_after_confirmation(user=newcomer)
    [message] = alert_mail()
    assert issue.ref in message.subject


@pytest.mark.django_db
def test_a_hidden_issue_never_goes_out_at_once(
    world, report, make_alert, django_capture_on_commit_callbacks, immediate_tasks
):  # noqa: ARG001
    make_alert(AlertKind.DISTRICT, frequency=AlertFrequency.IMMEDIATE, status_changes=True)
    issue = report(now=now())
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="особисті дані")
    created = IssueEvent.objects.get(issue=issue, kind=IssueEventKind.CREATED)
    assert alerts_notify_event(event_id=created.pk) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_digest_command_hands_the_pass_to_the_worker(world, report, make_alert, settings, capsys):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    make_alert(AlertKind.RADIUS)
    report(now=now())
    call_command("opencity_alert_digest", "--enqueue")
    call_command("opencity_alert_digest", "--enqueue")  # one pass waiting is enough
    assert "already waiting" in capsys.readouterr().out
    assert alert_mail() == []
    run_worker()
    result = DBTaskResult.objects.get(task_path=send_alert_digests.module_path)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    assert len(alert_mail()) == 1


@pytest.mark.django_db
def test_a_follower_with_an_alert_gets_one_e_mail_per_event(
    world,
    report,
    make_alert,
    django_capture_on_commit_callbacks,
    immediate_tasks,  # noqa: ARG001
):
    """The reporter follows their issue and also has an immediate alert on status changes there: the
    accepted issue reaches them once, by whichever sender comes first."""
    make_alert(AlertKind.DISTRICT, user=world.citizen, frequency=AlertFrequency.IMMEDIATE, status_changes=True)
    issue = report(now=now())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(
            issue=issue,
            actor=world.roads_staff,
            action="accept",
            data=TransitionInput(promised_date=datetime.date(2030, 1, 1)),
        )
    accepted = IssueEvent.objects.get(issue=issue, kind=IssueEventKind.STATUS_CHANGED)
    assert len(alert_mail("citizen@example.org")) == 1
    assert list(NotificationDelivery.objects.filter(event=accepted).values_list("email", flat=True)) == [
        "citizen@example.org"
    ]
