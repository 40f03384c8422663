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

from accounts.models import Executor
from geo.models import BudgetProject
from issues.models import Category, Issue, IssueEvent, IssueEventKind
from issues.rules.corrections import CorrectionRecord


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
    def for_events(cls, events: Iterable[IssueEvent]) -> EventNames:
        """Load every name the events' summaries need (no query for a kind none of them needs)."""
        executor_codes, category_codes, project_ids = [], [], []
        for event in events:
            data = event.data or {}
            if event.kind in (IssueEventKind.ROUTED, IssueEventKind.REASSIGNED):
                executor_codes.append(data.get("executor"))
            elif event.kind == IssueEventKind.ESCALATED:
                executor_codes.append(data.get("supervisor"))
            elif event.kind == IssueEventKind.CATEGORY_CHANGED:
                category_codes += [data.get("from"), data.get("to")]
            elif event.kind == IssueEventKind.STATUS_CHANGED and data.get("action") == "plan":
                project_ids.append(data.get("budget_project_id"))
        return cls(
            executors=_in_bulk(Executor.objects.only("code", "name_uk", "name_en"), "code", executor_codes),
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
    data = event.data or {}
    kind = event.kind
    if kind == IssueEventKind.CREATED:
        return _("Reported")
    if kind == IssueEventKind.ROUTED:
        return _("Sent to %(executor)s") % {"executor": names.executor(data.get("executor"))}
    if kind == IssueEventKind.REASSIGNED:
        return _("Reassigned to %(executor)s") % {"executor": names.executor(data.get("executor"))}
    if kind == IssueEventKind.MERGED:
        return _("Merged into %(ref)s, which is being dealt with") % {"ref": data.get("duplicate_of", "")}
    if kind == IssueEventKind.STATUS_CHANGED:
        return _status_change_summary(data, names)
    if kind == IssueEventKind.COMMENT:
        return _("Comment")
    if kind == IssueEventKind.SLA_BREACHED:
        if data.get("deadline") == "response":
            return _("The deadline to answer was missed")
        return _("The deadline to fix was missed")
    if kind == IssueEventKind.ESCALATED:
        if data.get("supervisor"):
            return _("Escalated to %(supervisor)s and the dispatcher") % {
                "supervisor": names.executor(data.get("supervisor"))
            }
        return _("Escalated to the dispatcher")
    if kind == IssueEventKind.HIDDEN:
        return _("Hidden from public pages by the dispatcher")
    if kind == IssueEventKind.SHOWN:
        return _("Shown on public pages again")
    if kind == IssueEventKind.CATEGORY_CHANGED:
        return _("Category changed from “%(old)s” to “%(new)s”") % {
            "old": names.category(data.get("from", "")),
            "new": names.category(data.get("to", "")),
        }
    if kind == IssueEventKind.OUTAGE_LINKED:
        return outage_notice(kind=data.get("kind", ""), expected_end=data.get("expected_end_at"))
    if kind == IssueEventKind.MEDIA_ADDED:
        if data.get("role") == "after":
            return _("Photos of the finished work added")
        return _("Photos or a video added")
    if kind == IssueEventKind.DUPLICATE_FLAGGED:
        return _("Possibly the same as %(refs)s") % {"refs": ", ".join(data.get("refs", []))}
    if kind == IssueEventKind.CORRECTED:
        return _("Corrected by staff: %(fields)s") % {"fields": _corrected_fields(data)}
    return str(IssueEventKind(kind).label)


def _corrected_fields(data: dict) -> str:
    """The corrected fields by their names in the active language, e.g. "location, district"."""
    fields = CorrectionRecord.from_data(data).fields
    return ", ".join(str(Issue._meta.get_field(name).verbose_name) for name in fields)


def _status_change_summary(data: dict, names: EventNames) -> str:
    action = data.get("action")
    if action == "accept":
        return _("Accepted; promised to be fixed by %(date)s") % {"date": _date(data.get("promised_date"))}
    if action == "plan":
        if data.get("promised_date"):
            return _("Planned for %(date)s") % {"date": _date(data.get("promised_date"))}
        title = names.budget_project_title(data.get("budget_project_id"))
        if title:
            return _("Planned as part of the budget project “%(title)s”") % {"title": title}
        return _("Planned as part of a budget project")
    if action == "resume":
        return _("Work resumed")
    if action == "resolve":
        if data.get("reason") == "outage_closed":
            return _("Resolved: the provider reports that the outage is over")
        return _("Marked as fixed")
    if action == "reject":
        return _("Rejected")
    if action == "hand_back":
        return _("Handed back to the dispatcher: assigned by mistake")
    if action == "confirm":
        return _("The reporter confirmed the fix")
    if action == "dispute":
        return _("The reporter disputed the fix; the issue is reopened")
    if action == "close":
        if data.get("reason") == "confirmation_timeout":
            return _("Closed automatically: the reporter did not dispute the fix within %(days)d days") % {
                "days": data.get("days", 0)
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
    from django.utils.translation import get_language

    local = timezone.localtime(value)
    weekday = formats.date_format(local, "l")
    if not (get_language() or "uk").startswith("en"):
        weekday = weekday.lower()
    return f"{weekday}, {formats.date_format(local, 'j E')}, {formats.time_format(local, 'H:i')}"
