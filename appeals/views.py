"""The appeals' pages: the citizen's two front doors (an appeal, an information request), "my
appeals", an appeal's page, the general department's desk and the unit's queue.

Each view checks who may see what through the selectors (appeals.selectors.appeal_for: someone
else's appeal is not found, never forbidden), calls one service, and renders. A refused action comes
back on the same page with its message and what was typed, with the error's HTTP status.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Executor
from accounts.roles import user_executor, user_is_appeal_clerk
from appeals.downloads import appeal_file_response
from appeals.forms import STATUS_LABELS, AppealActionForm, AppealForm, DeskFilterForm, ShorterTermForm
from appeals.models import (
    CITIZENS_APPEAL_KINDS,
    Appeal,
    AppealEvent,
    AppealEventKind,
    AppealKind,
    AppealOutcome,
    AppealPolicy,
    AttachmentRole,
    RefusalGround,
)
from appeals.rules.terms import is_due_soon
from appeals.rules.transitions import AppealAction, AppealRole, AppealStatus, appeal_available_actions
from appeals.selectors import appeal_actor_roles, appeal_for, appeal_suggested_unit, appeal_timeline
from appeals.services import (
    AppealInput,
    AppealTransitionInput,
    appeal_ask_shorter_term,
    appeal_submit,
    appeal_transition,
    appeal_transition_check,
)
from issues.rules.media import MAX_PHOTOS
from issues.services.media import media_intake_for_request
from media_store.api.views import media_upload_allowed
from media_store.formats import ALL_KINDS
from opencity.errors import DomainError, RateLimited
from opencity.http import safe_next_url

PAGE_SIZE = 20
# The order the actions are offered in on an appeal's page: the usual step first.
ACTION_ORDER = (
    AppealAction.ROUTE,
    AppealAction.REASSIGN,
    AppealAction.ANSWER,
    AppealAction.EXTEND,
    AppealAction.SHORTEN,
    AppealAction.REFUSE,
    AppealAction.FORWARD,
    AppealAction.MERGE,
    AppealAction.RETURN,
)
STAFF_ROLES = frozenset({AppealRole.CLERK, AppealRole.UNIT})
# What an answer may decide and the grounds of a refusal, by law: the appeals' (393/96-ВР) and the
# information requests' (2939-VI).
APPEAL_OUTCOMES = (AppealOutcome.SUPPORTED, AppealOutcome.EXPLAINED, AppealOutcome.NOT_SUPPORTED)
REQUEST_OUTCOMES = (AppealOutcome.PROVIDED, AppealOutcome.PARTLY_PROVIDED)
APPEAL_GROUNDS = (RefusalGround.ANONYMOUS, RefusalGround.REPEATED, RefusalGround.NOT_STATED)
REQUEST_GROUNDS = (RefusalGround.NOT_HELD, RefusalGround.RESTRICTED, RefusalGround.NO_FEE, RefusalGround.FORM)
# The fields of AppealInput the citizen's form fills (the rest are the service's business).
FORM_FIELDS = ("kind", "subject", "text", "author_name", "postal_address", "phone", "urgent", "urgent_reason")


def _page(request: HttpRequest, queryset) -> object:
    """One page of a list (?page=N; a page past the end gives the last one)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _state(appeal: Appeal, now: datetime.datetime) -> str:
    """ "overdue", "soon" (within the policy's warning window) or "" for an open appeal's term."""
    if not appeal.is_open:
        return ""
    if appeal.due_at < now:
        return "overdue"
    if is_due_soon(policy=appeal.policy.as_terms(), due_at=appeal.due_at, now=now):
        return "soon"
    return ""


def _when(value: datetime.datetime) -> str:
    """“Monday, 4 January 2027, 17:00” (“понеділок, 4 січня 2027, 17:00”) in the city's time zone."""
    local = timezone.localtime(value)
    weekday = formats.date_format(local, "l")
    if translation.get_language() != "en":
        weekday = weekday.lower()  # Ukrainian writes weekdays in lower case inside a sentence
    return f"{weekday}, {formats.date_format(local, 'j E Y, H:i')}"


def _row(appeal: Appeal, now: datetime.datetime) -> dict:
    """What a list shows of one appeal beside the appeal itself."""
    return {"appeal": appeal, "state": _state(appeal, now), "status_label": STATUS_LABELS[appeal.status]}


def _term_in_words(policy: AppealPolicy) -> str:
    """The law's terms of one kind in a sentence: "30 calendar days (…); at most 45 in total"."""

    def days(n: int) -> str:
        if policy.unit == "working_days":
            return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}
        return ngettext("%(n)d calendar day", "%(n)d calendar days", n) % {"n": n}

    parts = [_("answered within %(term)s of receipt") % {"term": days(policy.standard_term)}]
    if policy.short_term:
        parts.append(_("within %(term)s when no further study is needed") % {"term": days(policy.short_term)})
    if policy.urgent_hours:
        parts.append(_("within %(hours)d hours when urgent") % {"hours": policy.urgent_hours})
    if policy.longest_term:
        parts.append(_("extendable to %(term)s in all, with a notice") % {"term": days(policy.longest_term)})
    return "; ".join(parts)


# --- the citizen's side ------------------------------------------------------------------------------


@require_safe
def appeals_index(request: HttpRequest) -> HttpResponse:
    """The two front doors and the terms the law gives each kind (the policies, as data)."""
    policies = {policy.kind: policy for policy in AppealPolicy.objects.all()}
    # The three kinds of appeal share their terms under the law: one line for the kinds alike.
    kinds_by_terms: dict[str, list[str]] = {}
    for kind in (AppealKind.PROPOSAL, AppealKind.APPLICATION, AppealKind.COMPLAINT):
        if kind in policies:
            kinds_by_terms.setdefault(_term_in_words(policies[kind]), []).append(str(AppealKind(kind).label))
    appeal_terms = [{"label": ", ".join(labels), "terms": terms} for terms, labels in kinds_by_terms.items()]
    request_policy = policies.get(AppealKind.INFORMATION_REQUEST)
    return render(
        request,
        "appeals/index.html",
        {
            "appeal_terms": appeal_terms,
            "request_terms": _term_in_words(request_policy) if request_policy else "",
            "law_appeals": next((p.law_reference for p in policies.values() if p.kind in CITIZENS_APPEAL_KINDS), ""),
            "law_requests": request_policy.law_reference if request_policy else "",
            "is_clerk": user_is_appeal_clerk(request.user),
            "is_unit": user_executor(request.user) is not None,
        },
    )


def _needs_confirmation(user) -> bool:
    return user.email_confirmed_at is None or not user.email


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """The form of an appeal (?kind=proposal|application|complaint) or an information request
    (?kind=information_request). Unconfirmed e-mail: a page saying so, with the link to resend."""
    user = request.user
    if _needs_confirmation(user):
        return render(request, "appeals/confirm_first.html", status=403 if request.method == "POST" else 200)
    if request.method == "GET":
        kind = request.GET.get("kind", "")
        form = AppealForm(
            initial={
                "kind": kind if kind in AppealKind.values else AppealKind.APPLICATION,
                "author_name": user.get_full_name(),
                "postal_address": user.postal_address,
                "phone": user.phone,
            }
        )
        return _render_form(request, form)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    data = form.cleaned_data
    files = request.FILES.getlist("files")
    try:
        if media_upload_allowed(request, files=min(len(files), MAX_PHOTOS + 1)) is not None:
            raise RateLimited(_("You have uploaded many files in the last hour. Please try again later."))
        with media_intake_for_request(files=files, uploaded_by=user, kinds=ALL_KINDS) as intake:
            appeal = appeal_submit(
                author=user,
                data=AppealInput(
                    **{name: data[name] for name in FORM_FIELDS},
                    category=data["category"],
                    shorter_term_reason=data["shorter_term_reason"],
                    privileged=data["privileged"],
                ),
                media=tuple(intake.assets),
            )
    except DomainError as error:
        _errors_onto(form, error, aliases={"file": "files", "media": "files"})
        return _render_form(request, form, status=error.status)
    return redirect("appeals:detail", ref=appeal.ref)


def _errors_onto(form, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's field messages onto the form's fields (the rest onto the form itself)."""
    aliases = aliases or {}
    placed = False
    for field, field_messages in error.fields.items():
        name = aliases.get(field, field)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def _render_form(request: HttpRequest, form: AppealForm, *, status: int = 200) -> HttpResponse:
    kind = form["kind"].value() or AppealKind.APPLICATION
    return render(
        request,
        "appeals/new.html",
        {
            "form": form,
            "is_request": kind == AppealKind.INFORMATION_REQUEST,
            "max_files": MAX_PHOTOS,
            "max_document_mb": settings.OPENCITY_MAX_DOCUMENT_MB,
        },
        status=status,
    )


@login_required
@require_safe
def appeals_mine(request: HttpRequest) -> HttpResponse:
    """My appeals and requests, newest first, with their terms."""
    now = timezone.now()
    page = _page(
        request, Appeal.objects.filter(author=request.user).select_related("policy").order_by("-received_at", "-pk")
    )
    rows = [_row(appeal, now) for appeal in page]
    return render(request, "appeals/mine.html", {"page": page, "rows": rows})


# --- one appeal --------------------------------------------------------------------------------------


def _appeal_or_404(request: HttpRequest, ref: str) -> Appeal:
    appeal = appeal_for(user=request.user, ref=ref) if request.user.is_authenticated else None
    if appeal is None:
        raise Http404
    return appeal


def _event_summary(event: AppealEvent, units: dict[str, str]) -> str:
    """One sentence saying what happened, in the active language."""
    data = event.data or {}
    action = data.get("action")
    if event.kind == AppealEventKind.REGISTERED:
        return _("Registered")
    if event.kind == AppealEventKind.TERM_CHANGED:
        due = data.get("due_at")
        when = formats.date_format(timezone.localtime(datetime.datetime.fromisoformat(due)), "j E Y") if due else ""
        if action == AppealAction.EXTEND:
            return _("The term is extended to %(date)s") % {"date": when}
        return _("The term is shortened to %(date)s") % {"date": when}
    if event.kind == AppealEventKind.SHORTER_TERM_ASKED:
        return _("A shorter term is asked for")
    if event.kind == AppealEventKind.ATTACHMENT_ADDED:
        if data.get("role") == AttachmentRole.ANSWER:
            return _("Files added to the answer")
        return _("Files added")
    if event.kind == AppealEventKind.STATUS_CHANGED:
        unit = units.get(data.get("unit") or "", "")
        match action:
            case AppealAction.ROUTE:
                return _("Sent to the unit: %(unit)s") % {"unit": unit}
            case AppealAction.REASSIGN:
                return _("Sent to another unit: %(unit)s") % {"unit": unit}
            case AppealAction.RETURN:
                return _("Handed back to the general department")
            case AppealAction.ANSWER:
                return _("Answered")
            case AppealAction.REFUSE:
                return _("Refused: %(grounds)s") % {"grounds": RefusalGround(data["grounds"]).label}
            case AppealAction.FORWARD:
                return _("Forwarded to %(body)s") % {"body": data.get("forwarded_to", "")}
            case AppealAction.MERGE:
                return _("Merged with the earlier appeal %(ref)s") % {"ref": data.get("duplicate_of", "")}
    return str(AppealEventKind(event.kind).label)


def _timeline(appeal: Appeal, *, for_author: bool) -> list[dict]:
    events = list(appeal_timeline(appeal=appeal, for_author=for_author))
    codes = {e.data.get("unit") for e in events if e.data.get("unit")}
    units = {e.code: e.name for e in Executor.objects.filter(code__in=codes)} if codes else {}
    return [{"event": event, "summary": _event_summary(event, units)} for event in events]


def _active_units() -> list[Executor]:
    return list(Executor.objects.filter(is_active=True).order_by("code"))


def _render_detail(
    request: HttpRequest,
    appeal: Appeal,
    *,
    failed: str = "",
    action_errors: list[str] | None = None,
    shorter_form: ShorterTermForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = appeal_actor_roles(appeal=appeal, user=request.user)
    staff = bool(roles & STAFF_ROLES)
    available = set(appeal_available_actions(status=appeal.status, roles=roles & STAFF_ROLES)) if staff else set()
    actions = [action.value for action in ACTION_ORDER if action in available]
    attachments = list(appeal.attachments.select_related("asset"))
    units = _active_units() if {"route", "reassign"} & set(actions) else []
    suggestion = None
    if "route" in actions:
        decision = appeal_suggested_unit(appeal)
        suggestion = next((u for u in units if decision and u.pk == decision.executor_id), None)
    now = timezone.now()
    is_request = appeal.kind == AppealKind.INFORMATION_REQUEST
    context = {
        "appeal": appeal,
        "status_label": STATUS_LABELS[appeal.status],
        "state": _state(appeal, now),
        "due_words": _when(appeal.due_at),
        "is_author": AppealRole.AUTHOR in roles,
        "is_staff_view": staff,
        "is_request": is_request,
        "timeline": _timeline(appeal, for_author=not staff),
        "appeal_files": [a for a in attachments if a.role == AttachmentRole.APPEAL],
        "answer_files": [a for a in attachments if a.role == AttachmentRole.ANSWER],
        "actions": actions,
        "units": units,
        "suggestion": suggestion,
        "outcomes": [(o.value, o.label) for o in (REQUEST_OUTCOMES if is_request else APPEAL_OUTCOMES)],
        "grounds": [(g.value, g.label) for g in (REQUEST_GROUNDS if is_request else APPEAL_GROUNDS)],
        "failed": failed,
        "posted": request.POST if failed else {},
        "action_errors": action_errors or [],
        "shorter_form": shorter_form or ShorterTermForm(),
        "may_ask_shorter": AppealRole.AUTHOR in roles and appeal.is_open and not appeal.shorter_term_reason,
        "today": timezone.localdate(),
        "max_files": MAX_PHOTOS,
    }
    return render(request, "appeals/detail.html", context, status=status)


@login_required
@require_safe
def appeal_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The acknowledgement and the appeal's page: its term, timeline and answer for the author; the
    same with the actions for the general department and the unit. Anyone else: not found."""
    return _render_detail(request, _appeal_or_404(request, ref))


@login_required
@require_POST
def appeal_shorter_term(request: HttpRequest, ref: str) -> HttpResponse:
    """The author asks for a shorter term, with the reason."""
    appeal = _appeal_or_404(request, ref)
    form = ShorterTermForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, appeal, shorter_form=form, status=400)
    try:
        appeal_ask_shorter_term(appeal=appeal, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        _errors_onto(form, error)
        return _render_detail(request, appeal, shorter_form=form, status=error.status)
    messages.success(request, _("Your request for a shorter term is sent to the general department."))
    return redirect("appeals:detail", ref=appeal.ref)


def _field_messages(error: DomainError) -> list[str]:
    found = [str(message) for field_messages in error.fields.values() for message in field_messages]
    return found or [str(error.message)]


@login_required
@require_POST
def appeal_act(request: HttpRequest, ref: str) -> HttpResponse:
    """One staff action (route, forward, merge, answer, extend, refuse, return …) through the one
    status writer, then back to where it was taken (the desk, the queue or the appeal's page)."""
    appeal = _appeal_or_404(request, ref)
    form = AppealActionForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid():
        found = [str(message) for field_messages in form.errors.values() for message in field_messages]
        return _render_detail(request, appeal, failed=action, action_errors=found, status=400)
    data = form.cleaned_data
    duplicate_of = None
    if data["duplicate_of"].strip():
        duplicate_of = appeal_for(user=request.user, ref=data["duplicate_of"].strip().upper())
        if duplicate_of is None:
            return _render_detail(
                request,
                appeal,
                failed=action,
                action_errors=[_("No appeal with this registration number.")],
                status=400,
            )
    files = request.FILES.getlist("files") if action == AppealAction.ANSWER else []
    try:
        if files:
            # Only someone who may take this action has their files taken and processed.
            appeal_transition_check(appeal=appeal, actor=request.user, action=action)
            if media_upload_allowed(request, files=min(len(files), MAX_PHOTOS + 1)) is not None:
                raise RateLimited(_("You have uploaded many files in the last hour. Please try again later."))
        with media_intake_for_request(files=files, uploaded_by=request.user, kinds=ALL_KINDS) as intake:
            appeal_transition(
                appeal=appeal,
                actor=request.user,
                action=action,
                data=AppealTransitionInput(
                    note=data["note"],
                    unit=data["unit"],
                    answer=data["answer"],
                    outcome=data["outcome"],
                    grounds=data["grounds"],
                    forwarded_to=data["forwarded_to"],
                    duplicate_of=duplicate_of,
                    last_day=data["last_day"],
                    media=tuple(intake.assets),
                ),
            )
    except DomainError as error:
        return _render_detail(request, appeal, failed=action, action_errors=_field_messages(error), status=error.status)
    messages.success(request, _("Done: %(ref)s updated.") % {"ref": appeal.ref})
    # The appeal may have left the viewer's sight (handed back, routed elsewhere): their list then.
    default = reverse("appeals:detail", args=[appeal.ref])
    if appeal_for(user=request.user, ref=appeal.ref) is None:
        default = reverse("appeals:queue")
    return redirect(safe_next_url(request, default=default))


@login_required
@require_safe
def appeal_file(request: HttpRequest, ref: str, public_id: uuid.UUID) -> HttpResponse:
    """A file of the appeal or its answer, for those who may read the appeal (checked every time;
    the files are at no public address)."""
    appeal = _appeal_or_404(request, ref)
    link = appeal.attachments.select_related("asset").filter(asset__public_id=public_id).first()
    if link is None:
        raise Http404
    return appeal_file_response(link, for_page=True)


# --- the council's side ------------------------------------------------------------------------------


@login_required
@require_safe
def appeals_desk(request: HttpRequest) -> HttpResponse:
    """The general department's desk: registered appeals first, then by the term; the forwarding
    term, the routing suggestion and the actions on each."""
    if not user_is_appeal_clerk(request.user):
        raise PermissionDenied(_("The desk is for the general department."))
    now = timezone.now()
    filters = DeskFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    appeals = Appeal.objects.select_related("policy", "unit")
    if chosen.get("status"):
        appeals = appeals.filter(status=chosen["status"])
    else:
        appeals = appeals.open()
    if chosen.get("kind"):
        appeals = appeals.filter(kind=chosen["kind"])
    if chosen.get("overdue"):
        appeals = appeals.overdue(now)
    appeals = appeals.annotate(
        registered_first=Case(
            When(status=AppealStatus.REGISTERED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("registered_first", "-privileged", "due_at", "pk")
    page = _page(request, appeals)
    units = _active_units()
    by_pk = {unit.pk: unit for unit in units}
    suggestions: dict[int, Executor | None] = {}  # by topic: the rules are asked once per topic
    rows = []
    for appeal in page:
        suggestion = None
        if appeal.status == AppealStatus.REGISTERED and appeal.category_id:
            if appeal.category_id not in suggestions:
                decision = appeal_suggested_unit(appeal)
                suggestions[appeal.category_id] = by_pk.get(decision.executor_id) if decision else None
            suggestion = suggestions[appeal.category_id]
        rows.append(
            {
                **_row(appeal, now),
                "suggestion": suggestion,
                "forward_late": appeal.status == AppealStatus.REGISTERED and appeal.forward_due_at < now,
            }
        )
    return render(
        request,
        "appeals/desk.html",
        {"page": page, "rows": rows, "filters": filters, "units": units, "today": timezone.localdate()},
    )


@login_required
@require_safe
def appeals_queue(request: HttpRequest) -> HttpResponse:
    """The unit's queue: the appeals assigned to the unit, by the term (overdue and due soon marked)."""
    executor = user_executor(request.user)
    if executor is None:
        raise PermissionDenied(_("The queue is for the staff of a structural unit."))
    now = timezone.now()
    appeals = (
        Appeal.objects.open()
        .filter(unit=executor, status=AppealStatus.ASSIGNED)
        .select_related("policy")
        .order_by("-privileged", "due_at", "pk")
    )
    page = _page(request, appeals)
    rows = [_row(appeal, now) for appeal in page]
    return render(request, "appeals/queue.html", {"executor": executor, "page": page, "rows": rows})
