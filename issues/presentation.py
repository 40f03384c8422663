"""Words for what happened: events and deadlines described in the reader's language.

Events store language-neutral facts (codes, dates); these functions turn them into sentences when a
page, an e-mail or the API shows them, so a Ukrainian and an English reader each get their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.localized import is_english
from accounts.models import Executor
from geo.models import BudgetProject
from issues import events
from issues.events import payload_for
from issues.models import Category, Issue, IssueEvent, IssueEventKind
from issues.rules.clocks import DeadlineKind
from issues.rules.corrections import CorrectionRecord
from issues.rules.transitions import Action


@dataclass(frozen=True)
class EventNames:
    """The executors, categories and budget projects some events refer to (by code or id), loaded
    together: one query for each kind of name, for a whole timeline or page of events.

    Made for one page or answer and then dropped, never kept for the process: a renamed executor
    shows its new name on the next page. A name that is gone is shown as its code."""

    executors: dict[str, Executor] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    budget_projects: dict[int, BudgetProject] = field(default_factory=dict)

    @classmethod
    def for_events(cls, events: Iterable[IssueEvent], *, executors: Iterable[Executor] = ()) -> EventNames:
        """Load every name the events' summaries need (no query for a kind none of them needs).
        `executors`: ones the caller read just now (the issue's own), not looked up again."""
        payloads = [payload_for(kind=event.kind, data=event.data) for event in events]
        known = {executor.code: executor for executor in executors}
        executor_codes = [code for payload in payloads for code in payload.executor_codes() if code not in known]
        category_codes = [code for payload in payloads for code in payload.category_codes()]
        project_ids = [pk for payload in payloads for pk in payload.budget_project_ids()]
        return cls(
            executors=known | _in_bulk(Executor.objects.only("code", "name_uk", "name_en"), "code", executor_codes),
            categories=_in_bulk(Category.objects.only("code", "name_uk", "name_en"), "code", category_codes),
            budget_projects=_in_bulk(BudgetProject.objects.only("title_uk", "title_en"), "pk", project_ids),
        )

    def executor(self, code: str | None) -> str:
        """The executor's name in the active language."""
        if not code:
            return ""
        executor = self.executors.get(code)
        return executor.name if executor else code

    def category(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name if category else code

    def budget_project_title(self, project_id: int | None) -> str:
        project = self.budget_projects.get(project_id) if project_id else None
        return project.title if project else ""


def _in_bulk(queryset, key: str, values: list) -> dict:
    """The rows whose `key` is one of the values, by that value; no query when there are none."""
    wanted = {value for value in values if value}
    return queryset.in_bulk(list(wanted), field_name=key) if wanted else {}


def _date(value: str | None) -> str:
    if not value:
        return ""
    return formats.date_format(datetime.date.fromisoformat(value), "j E Y")


def event_summaries(events: Iterable[IssueEvent]) -> list[str]:
    """event_summary of each event, with the names they refer to loaded once for all of them."""
    events = list(events)
    names = EventNames.for_events(events)
    return [event_summary(event, names=names) for event in events]


def event_summary(event: IssueEvent, *, names: EventNames | None = None) -> str:
    """One sentence saying what the event was, in the active language. `names`: the names loaded
    for a batch of events (EventNames.for_events); without them, this event's own are loaded."""
    if names is None:
        names = EventNames.for_events([event])
    return event_sentence(kind=event.kind, data=event.data, names=names)


def event_sentence(*, kind: str, data: dict, names: EventNames) -> str:
    """event_summary from an event's facts alone (its kind and data), for an answer that read them
    without making IssueEvent objects (issues.api.detail)."""
    payload = payload_for(kind=kind, data=data)
    match payload:
        case events.Created():
            return _("Reported")
        case events.StatusChanged() if kind == IssueEventKind.ROUTED:
            return _("Sent to %(executor)s") % {"executor": names.executor(payload.executor)}
        case events.StatusChanged() if kind == IssueEventKind.REASSIGNED:
            return _("Reassigned to %(executor)s") % {"executor": names.executor(payload.executor)}
        case events.StatusChanged() if kind == IssueEventKind.MERGED:
            return _("Merged into %(ref)s, which is being dealt with") % {"ref": payload.duplicate_of or ""}
        case events.StatusChanged():
            return _status_change_summary(payload, names)
        case events.SlaBreached():
            if payload.deadline == DeadlineKind.RESPONSE:
                return _("The deadline to answer was missed")
            return _("The deadline to fix was missed")
        case events.Escalated():
            if payload.supervisor:
                return _("Escalated to %(supervisor)s and the dispatcher") % {
                    "supervisor": names.executor(payload.supervisor)
                }
            return _("Escalated to the dispatcher")
        case events.CategoryChanged():
            return _("Category changed from “%(old)s” to “%(new)s”") % {
                "old": names.category(payload.from_code),
                "new": names.category(payload.to_code),
            }
        case events.OutageLinked():
            return outage_notice(kind=payload.kind, expected_end=payload.expected_end_at)
        case events.MediaAdded():
            if payload.role == "after":
                return _("Photos of the finished work added")
            return _("Photos or a video added")
        case events.DuplicateFlagged():
            return _("Possibly the same as %(refs)s") % {"refs": ", ".join(payload.refs)}
        case events.Corrected():
            return _("Corrected by staff: %(fields)s") % {"fields": _corrected_fields(data)}
    if kind == IssueEventKind.COMMENT:
        return _("Comment")
    if kind == IssueEventKind.HIDDEN:
        return _("Hidden from public pages by the dispatcher")
    if kind == IssueEventKind.SHOWN:
        return _("Shown on public pages again")
    return str(IssueEventKind(kind).label)


def _corrected_fields(data: dict) -> str:
    """The corrected fields by their names in the active language, e.g. "location, district"."""
    fields = CorrectionRecord.from_data(data).fields
    return ", ".join(str(Issue._meta.get_field(name).verbose_name) for name in fields)


def _status_change_summary(change: events.StatusChanged, names: EventNames) -> str:
    match change.action:
        case Action.ACCEPT:
            return _("Accepted; promised to be fixed by %(date)s") % {"date": _date(change.promised_date)}
        case Action.PLAN:
            if change.promised_date:
                return _("Planned for %(date)s") % {"date": _date(change.promised_date)}
            title = names.budget_project_title(change.budget_project_id)
            if title:
                return _("Planned as part of the budget project “%(title)s”") % {"title": title}
            return _("Planned as part of a budget project")
        case Action.RESUME:
            return _("Work resumed")
        case Action.RESOLVE:
            if change.reason == "outage_closed":
                return _("Resolved: the provider reports that the outage is over")
            return _("Marked as fixed")
        case Action.REJECT:
            if change.reason == "converted_to_appeal":
                return _("Turned into a written appeal to the council")
            return _("Rejected")
        case Action.HAND_BACK:
            return _("Handed back to the dispatcher: assigned by mistake")
        case Action.CONFIRM:
            return _("The reporter confirmed the fix")
        case Action.DISPUTE:
            return _("The reporter disputed the fix; the issue is reopened")
        case Action.CLOSE:
            if change.reason == "confirmation_timeout":
                return _("Closed automatically: the reporter did not dispute the fix within %(days)d days") % {
                    "days": change.days or 0
                }
            return _("Closed")
    return _("Status changed")


OUTAGE_NOTICES = {
    "water": (
        gettext_lazy("Known water outage here; water is expected back by %(when)s."),
        gettext_lazy("Known water outage here."),
    ),
    "electricity": (
        gettext_lazy("Known power outage here; electricity is expected back by %(when)s."),
        gettext_lazy("Known power outage here."),
    ),
    "gas": (
        gettext_lazy("Known gas outage here; gas is expected back by %(when)s."),
        gettext_lazy("Known gas outage here."),
    ),
    "heating": (
        gettext_lazy("Known heating outage here; heating is expected back by %(when)s."),
        gettext_lazy("Known heating outage here."),
    ),
}


def outage_notice(*, kind: str, expected_end) -> str:
    """What a citizen is told when their report falls inside a known outage."""
    if isinstance(expected_end, str):
        expected_end = datetime.datetime.fromisoformat(expected_end)
    with_end, without_end = OUTAGE_NOTICES.get(
        kind, (gettext_lazy("Known outage here; expected back by %(when)s."), gettext_lazy("Known outage here."))
    )
    if expected_end is None:
        return str(without_end)
    return str(with_end) % {"when": deadline_in_words(expected_end)}


def deadline_in_words(value: datetime.datetime | None) -> str:
    """“Tuesday, 1 December, 14:00” (“вівторок, 1 грудня, 14:00”) in the active language and the
    city's time zone. Ukrainian writes weekdays in lower case inside a sentence."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    weekday = formats.date_format(local, "l")
    if not is_english():
        weekday = weekday.lower()
    return f"{weekday}, {formats.date_format(local, 'j E')}, {formats.time_format(local, 'H:i')}"
