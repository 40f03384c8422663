"""Turning a citizen's map report into a written appeal, and an appeal into a map report.

Some reports on the map are really appeals to the council (a complaint about an official, a request
for a decision); some appeals are really a problem on a street. The dispatcher and the general
department move them to the right track without losing their history:

- report → appeal (the dispatcher, accounts.roles.user_is_dispatcher): the appeal is registered
  through appeals.services.appeal_submit in the reporter's name, *received when the report was
  sent* (the legal clock runs from the citizen's submission), with the category as its topic and
  subject, the description as its text and copies of the report's photos as private attachments;
  the issue is rejected through issues.services.lifecycle.issue_transition with a public note (the
  appeal's number stays out of public view: an internal comment holds it) and, when asked, hidden.
- appeal → report (the general department, accounts.roles.user_is_appeal_clerk): the issue is
  created through issues.services.issue_create in the author's name at the point the clerk chose,
  with a description the clerk writes (it is public; the appeal's text is not); the appeal is
  closed as forwarded, to the map, through appeals.services.appeal_transition.

Both sides keep their history: a CONVERTED event on the appeal (ConversionRecord), and the issue's
own events (its rejection with the reason "converted_to_appeal", or its creation). Nothing here
writes a status directly; each step is the owning app's service, in one transaction.
"""

from __future__ import annotations

import datetime
import logging
import posixpath
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import user_is_appeal_clerk, user_is_dispatcher
from appeals.models import CITIZENS_APPEAL_KINDS, Appeal, AppealEvent, AppealEventKind, AppealKind
from appeals.rules.transitions import AppealAction
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from issues.models import Category, Issue, IssueMedia, MediaRole
from issues.rules.transitions import TRANSITIONS, Action, ActorRole
from issues.services import TransitionInput, issue_create, issue_transition
from issues.services.moderation import issue_comment, issue_set_hidden
from media_store.errors import MediaRejected
from media_store.models import MediaAsset
from media_store.services import media_intake
from opencity.errors import Conflict, Forbidden, InvalidInput

logger = logging.getLogger(__name__)

# The issue statuses a dispatcher may reject from: a report is converted by rejecting it on the map.
CONVERTIBLE_ISSUE_STATUSES = TRANSITIONS[Action.REJECT].allowed[ActorRole.DISPATCHER]
ISSUE_REASON = "converted_to_appeal"  # the issue's StatusChanged.reason, turned into words by its pages


@dataclass(frozen=True)
class ConversionRecord:
    """The data of an appeal's CONVERTED event."""

    direction: str  # "from_issue" (the appeal came from the report) or "to_issue" (it became one)
    issue: str  # the map report's reference
    media_copied: int = 0  # from_issue: the report's photos and videos copied as attachments
    media_failed: int = 0  # from_issue: those that could not be copied (the report keeps them)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IssueToAppealInput:
    kind: str
    # Typed by the dispatcher when the reporter's account has none (an appeal needs them by law).
    postal_address: str = ""
    author_name: str = ""
    hide: bool = False  # also hide the report from the public map (an appeal's matter is private)


@dataclass(frozen=True)
class AppealToIssueInput:
    category: Category | None
    point: Point | None
    description: str
    address: str = ""
    note: str = ""  # to the author, with the forwarding


def _refuse_issue(issue: Issue) -> None:
    if issue.is_hidden:
        raise Conflict(
            _("A hidden report cannot be turned into an appeal: show it again first, or leave it hidden."),
            code="issue_hidden",
        )
    if issue.status not in CONVERTIBLE_ISSUE_STATUSES:
        raise Conflict(
            _("Only a report nobody has finished with can be turned into an appeal (not planned, fixed or closed)."),
            code="issue_not_convertible",
        )


def _refuse_reporter(*, issue: Issue, data: IssueToAppealInput) -> User:
    reporter = issue.reporter
    if reporter is None or not reporter.is_active:
        raise Conflict(_("The report has no reporter with an account: an appeal needs its author."), code="no_author")
    if reporter.email_confirmed_at is None or not reporter.email:
        raise Conflict(
            _("The reporter has not confirmed their e-mail address: the answer to an appeal could not reach them."),
            code="email_not_confirmed",
        )
    errors: dict[str, list] = {}
    if data.kind not in AppealKind.values:
        errors["kind"] = [_("Choose what kind of appeal the report is.")]
    elif data.kind in CITIZENS_APPEAL_KINDS:
        if not (data.postal_address.strip() or reporter.postal_address):
            errors["postal_address"] = [
                _(
                    "The reporter's account has no postal address, and the law asks for one on an appeal: "
                    "type the address they gave, or make it an information request."
                )
            ]
        if not (data.author_name.strip() or reporter.get_full_name().strip()):
            errors["author_name"] = [
                _("The reporter's account has no name, and the law asks for one on an appeal: type it.")
            ]
    if errors:
        raise InvalidInput(_("Some fields need attention."), code="invalid", fields=errors)
    return reporter


def _copy_media(*, issue: Issue, owner: User) -> tuple[list[MediaAsset], int]:
    """Fresh copies of the report's own photos and videos (the issue keeps its originals), stored
    by media intake; returns them and how many could not be copied. Runs outside any transaction
    (media_intake stores the file first, then commits its row)."""
    copies, failed = [], 0
    links = IssueMedia.objects.filter(issue=issue, role=MediaRole.REPORT).select_related("asset").order_by("position")
    for link in links:
        asset = link.asset
        try:
            with asset.file.open("rb") as content:
                copy = media_intake(
                    uploaded_file=File(content, name=posixpath.basename(asset.file.name)), uploaded_by=owner
                ).asset
        except (MediaRejected, OSError):
            logger.warning("could not copy media %s of %s to its appeal", asset.public_id, issue.ref, exc_info=True)
            failed += 1
            continue
        copies.append(copy)
    return copies, failed


def appeal_from_issue(
    *, issue: Issue, actor: User, data: IssueToAppealInput, now: datetime.datetime | None = None
) -> Appeal:
    """Turn a map report into an appeal in its reporter's name, received when the report was sent.

    The dispatcher only (Forbidden). Refused (Conflict) for a hidden report or one past the stages
    a dispatcher may reject from, or a reporter who could not receive an answer; InvalidInput when
    the kind, or the name or postal address an appeal needs, is missing. A refusal changes nothing.
    """
    if not user_is_dispatcher(actor):
        raise Forbidden(_("Only the dispatcher may do this."), code="dispatcher_only")
    now = now or timezone.now()
    _refuse_issue(issue)
    reporter = _refuse_reporter(issue=issue, data=data)
    copies, failed = _copy_media(issue=issue, owner=reporter)
    with transaction.atomic():
        locked = Issue.objects.select_for_update(of=("self",)).select_related("category").get(pk=issue.pk)
        _refuse_issue(locked)  # changed while the photos were copied
        appeal = appeal_submit(
            author=reporter,
            data=AppealInput(
                kind=data.kind,
                subject=locked.category.name_uk,
                text=locked.description,
                author_name=data.author_name.strip(),
                postal_address=data.postal_address.strip(),
                category=locked.category,
                # One appeal per report, however often the form is sent.
                idempotency_key=f"issue:{locked.ref}",
            ),
            media=tuple(copies),
            now=locked.created_at,  # the legal clock runs from the citizen's submission
        )
        Appeal.objects.filter(pk=appeal.pk).update(issue=locked)
        appeal.issue = locked
        AppealEvent.objects.create(
            appeal=appeal,
            kind=AppealEventKind.CONVERTED,
            at=now,
            actor=actor,
            data=ConversionRecord(
                direction="from_issue", issue=locked.ref, media_copied=len(copies), media_failed=failed
            ).as_json(),
        )
        with translation.override(settings.LANGUAGE_CODE):  # notes on an issue are in the city's language
            public_note = gettext(
                "This is a matter for a written appeal to the council: it is registered as one in the "
                "reporter's name and will be answered within the term the law sets."
            )
            internal_note = gettext("Turned into appeal %(ref)s.") % {"ref": appeal.ref}
        issue_transition(
            issue=locked,
            actor=actor,
            action=Action.REJECT,
            data=TransitionInput(note=public_note, extra={"reason": ISSUE_REASON}),
            now=now,
        )
        issue_comment(issue=locked, actor=actor, note=internal_note, is_public=False, now=now)
        if data.hide:
            issue_set_hidden(issue=locked, actor=actor, hidden=True, note=internal_note, now=now)
    return appeal


def issue_from_appeal(
    *, appeal: Appeal, actor: User, data: AppealToIssueInput, now: datetime.datetime | None = None
) -> Issue:
    """Turn an appeal that is really a problem on a street into a map report in its author's name.

    The general department only (Forbidden). Refused (Conflict) for an appeal already closed;
    InvalidInput for a missing place, category or description (the report's own checks: the place
    must be inside the community). The appeal is closed as forwarded to the map, with the author
    told, and a CONVERTED event; its text and attachments stay private (the report is public).
    """
    if not user_is_appeal_clerk(actor):
        raise Forbidden(_("Only the general department may do this."), code="clerk_only")
    if not appeal.is_open:
        raise Conflict(_("This appeal is closed already: it cannot become a map report."), code="appeal_closed")
    errors: dict[str, list] = {}
    if data.point is None:
        errors["point"] = [_("An appeal has no place on the map: choose where the problem is.")]
    if data.category is None:
        errors["category"] = [_("Please choose a category.")]
    if not data.description.strip():
        errors["description"] = [_("Please describe the problem: this text is public on the map.")]
    if errors:
        raise InvalidInput(_("Some fields need attention."), code="invalid", fields=errors)
    now = now or timezone.now()
    with transaction.atomic():
        issue = issue_create(
            reporter=appeal.author,
            category=data.category,
            description=data.description,
            point=data.point,
            address=data.address,
            idempotency_key=f"appeal:{appeal.ref}",
            now=now,
        ).issue
        with translation.override(settings.LANGUAGE_CODE):
            forwarded_to = gettext("the city's problem map, report %(ref)s") % {"ref": issue.ref}
            note = data.note.strip() or gettext(
                "The matter is a problem for the city's services to fix: it is on the problem map as report "
                "%(ref)s, where you can follow it."
            ) % {"ref": issue.ref}
        appeal = appeal_transition(
            appeal=appeal,
            actor=actor,
            action=AppealAction.FORWARD,
            data=AppealTransitionInput(forwarded_to=forwarded_to, note=note, extra={"converted_to": issue.ref}),
            now=now,
        )
        Appeal.objects.filter(pk=appeal.pk).update(issue=issue)
        appeal.issue = issue
        # The forwarding's e-mail tells the author; this event is the link in both timelines.
        AppealEvent.objects.create(
            appeal=appeal,
            kind=AppealEventKind.CONVERTED,
            at=now,
            actor=actor,
            data=ConversionRecord(direction="to_issue", issue=issue.ref).as_json(),
        )
    return issue
