"""Event summaries: names are looked up for the page that shows them (a renamed executor or category
is shown by its new name at once), one query per kind of name for a whole timeline."""

import pytest
from django.utils import translation

from issues.models import IssueEvent
from issues.presentation import event_summaries, event_summary
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_change_category
from tests.factories import BudgetProjectFactory

pytestmark = pytest.mark.django_db


def test_a_renamed_executor_is_shown_by_its_new_name(world, report):
    routed = IssueEvent.objects.get(issue=report(), kind="routed")
    assert event_summary(routed) == "Надіслано: Дорожня служба"
    world.roads.name_uk = "Служба доріг"
    world.roads.save()
    assert event_summary(routed) == "Надіслано: Служба доріг"
    assert event_summaries([routed]) == ["Надіслано: Служба доріг"]


def test_names_that_are_gone_are_shown_as_codes(world, report):
    issue = report()
    event = IssueEvent(issue=issue, kind="reassigned", data={"executor": "no-such-service"})
    assert event_summary(event) == "Передано виконавцю: no-such-service"


def test_a_timeline_is_summed_up_in_one_query_per_kind_of_name(world, report, django_assert_num_queries):
    issue = report()
    project = BudgetProjectFactory(title_uk="Ремонт Стрийської", title_en="Stryiska street repair")
    issue = issue_transition(
        issue=issue, actor=world.dispatcher, action="reassign", data=TransitionInput(executor=world.water)
    )
    issue = issue_change_category(issue=issue, actor=world.dispatcher, category=world.manhole)
    issue_transition(
        issue=issue, actor=world.water_staff, action="plan", data=TransitionInput(budget_project_id=project.pk)
    )
    events = list(IssueEvent.objects.filter(issue=issue).order_by("at", "pk"))
    with django_assert_num_queries(3):  # executors, categories, budget projects
        summaries = event_summaries(events)
    assert summaries == [event_summary(event) for event in events]
    assert summaries == [
        "Подано",
        "Надіслано: Дорожня служба",
        "Передано виконавцю: Водоканал",
        "Категорію змінено з «Яма» на «Відкритий люк»",
        "Заплановано в межах бюджетного проєкту «Ремонт Стрийської»",
    ]
    with translation.override("en"):
        assert event_summaries(events)[1:] == [
            "Sent to Road service",
            "Reassigned to Water utility",
            "Category changed from “Pothole” to “Open manhole”",
            "Planned as part of the budget project “Stryiska street repair”",
        ]


def test_events_that_name_nothing_need_no_query(world, report, django_assert_num_queries):
    created = IssueEvent.objects.get(issue=report(), kind="created")
    with django_assert_num_queries(0):
        assert event_summary(created) == "Подано"
