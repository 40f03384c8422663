"""Pages for issues: the issue page, the executor's queue and the dispatcher's desk.

Each view checks the viewer's rights on the server, calls one service or selector, and renders.
Refused actions come back as messages on the same page with the right HTTP status; nothing is
half-done because the services are transactional.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import user_executor, user_is_dispatcher
from issues.forms import CategoryChangeForm, CommentForm, QueueFilterForm, TransitionForm
from issues.models import Issue, IssueStatus
from issues.presentation import deadline_in_words, event_summary
from issues.rules.transitions import ActorRole, available_actions
from issues.selectors import (
    dispatch_overdue,
    dispatch_possible_duplicates,
    dispatch_unrouted,
    issue_public_timeline,
    issue_timeline,
    queue_for_executor,
)
from issues.services import TransitionInput, issue_actor_roles, issue_transition
from issues.services.moderation import issue_change_category, issue_comment, issue_set_hidden
from opencity.errors import DomainError

DUE_SOON_HOURS = 24


def _issue_for_viewer(request: HttpRequest, ref: str) -> tuple[Issue, frozenset[ActorRole]]:
    issue = (
        Issue.objects.select_related("category__group", "district", "executor", "duplicate_of", "reporter")
        .filter(ref=ref)
        .first()
    )
    if issue is None:
        raise Http404
    roles = issue_actor_roles(issue=issue, user=request.user) if request.user.is_authenticated else frozenset()
    if issue.is_hidden and not roles & {ActorRole.REPORTER, ActorRole.EXECUTOR, ActorRole.DISPATCHER}:
        raise Http404
    return issue, roles


def _render_issue(request: HttpRequest, issue: Issue, roles, *, errors=None, status: int = 200) -> HttpResponse:
    staff = bool(roles & {ActorRole.EXECUTOR, ActorRole.DISPATCHER})
    events = issue_timeline(issue=issue) if staff else issue_public_timeline(issue=issue)
    timeline = [{"event": event, "summary": event_summary(event)} for event in events]
    context = {
        "issue": issue,
        "timeline": timeline,
        "actions": [a.value for a in available_actions(status=issue.status, roles=roles - {ActorRole.SYSTEM})],
        "is_staff_view": staff,
        "is_dispatcher": ActorRole.DISPATCHER in roles,
        "response_due": deadline_in_words(issue.response_due_at),
        "resolve_due": deadline_in_words(issue.resolve_due_at),
        "errors": errors or {},
        "category_form": CategoryChangeForm(initial={"category": issue.category.code}),
        "transition_form": TransitionForm(),
        "comment_form": CommentForm(),
        "today": timezone.localdate(),
    }
    return render(request, "issues/detail.html", context, status=status)


@require_GET
def issue_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """An issue, its deadlines in plain words, its timeline, and the actions the viewer may take."""
    issue, roles = _issue_for_viewer(request, ref)
    return _render_issue(request, issue, roles)


def _domain_error_response(request, issue, roles, error: DomainError, key: str) -> HttpResponse:
    field_messages = [f"{message}" for messages_ in error.fields.values() for message in messages_]
    return _render_issue(
        request,
        issue,
        roles,
        errors={key: [str(error.message), *field_messages]},
        status=error.status,
    )


@login_required
@require_POST
def issue_act(request: HttpRequest, ref: str) -> HttpResponse:
    """Take a status action from the issue page (or the queue), then go back where it came from."""
    issue, roles = _issue_for_viewer(request, ref)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_issue(
            request, issue, roles, errors={"action": [e for errs in form.errors.values() for e in errs]}, status=400
        )
    data = form.cleaned_data
    duplicate_of = None
    if data["duplicate_of"]:
        duplicate_of = Issue.objects.filter(ref=data["duplicate_of"].strip().upper()).first()
        if duplicate_of is None:
            return _render_issue(
                request, issue, roles, errors={"action": [_("No issue with this reference.")]}, status=400
            )
    try:
        issue_transition(
            issue=issue,
            actor=request.user,
            action=data["action"],
            data=TransitionInput(
                note=data["note"],
                promised_date=data["promised_date"],
                executor=data["executor"],
                duplicate_of=duplicate_of,
            ),
        )
    except DomainError as error:
        return _domain_error_response(request, issue, roles, error, "action")
    messages.success(request, _("Done: %(ref)s updated.") % {"ref": issue.ref})
    next_url = request.POST.get("next", "")
    return redirect(
        next_url if next_url.startswith("/") and not next_url.startswith("//") else issue.get_absolute_url()
    )


@login_required
@require_POST
def issue_moderate(request: HttpRequest, ref: str) -> HttpResponse:
    """The dispatcher's moderation (hide/show, fix the category) and staff comments."""
    issue, roles = _issue_for_viewer(request, ref)
    operation = request.POST.get("operation")
    try:
        if operation in ("hide", "show"):
            issue_set_hidden(
                issue=issue, actor=request.user, hidden=operation == "hide", note=request.POST.get("note", "")
            )
        elif operation == "category":
            form = CategoryChangeForm(request.POST)
            if not form.is_valid():
                return _render_issue(
                    request, issue, roles, errors={"moderation": [_("Please choose a category.")]}, status=400
                )
            issue_change_category(issue=issue, actor=request.user, category=form.cleaned_data["category"])
        elif operation == "comment":
            form = CommentForm(request.POST)
            if not form.is_valid():
                return _render_issue(
                    request, issue, roles, errors={"moderation": [_("Please write the comment.")]}, status=400
                )
            issue_comment(
                issue=issue,
                actor=request.user,
                note=form.cleaned_data["note"],
                is_public=form.cleaned_data["is_public"],
            )
        else:
            return _render_issue(request, issue, roles, errors={"moderation": [_("Unknown operation.")]}, status=400)
    except DomainError as error:
        return _domain_error_response(request, issue, roles, error, "moderation")
    messages.success(request, _("Done: %(ref)s updated.") % {"ref": issue.ref})
    next_url = request.POST.get("next", "")
    return redirect(
        next_url if next_url.startswith("/") and not next_url.startswith("//") else issue.get_absolute_url()
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The executor's task queue: overdue first, then the nearest deadline."""
    executor = user_executor(request.user)
    if executor is None:
        raise PermissionDenied(_("The queue is for executors' staff."))
    now = timezone.now()
    issues = queue_for_executor(executor=executor, at=now)
    filters = QueueFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            issues = issues.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["category"]:
            issues = issues.filter(category=filters.cleaned_data["category"])
        if filters.cleaned_data["overdue"]:
            issues = issues.filter(is_overdue_rank=0)
    soon = now + timezone.timedelta(hours=DUE_SOON_HOURS)
    rows = [
        {
            "issue": issue,
            "due": deadline_in_words(issue.next_due_at),
            "state": "overdue"
            if issue.is_overdue_rank == 0
            else ("soon" if issue.next_due_at and issue.next_due_at <= soon else ""),
        }
        for issue in issues
    ]
    return render(
        request,
        "issues/queue.html",
        {
            "executor": executor,
            "rows": rows,
            "filters": filters,
            "today": timezone.localdate(),
            "assigned": IssueStatus.ASSIGNED,
        },
    )


@login_required
@require_GET
def dispatch(request: HttpRequest) -> HttpResponse:
    """The dispatcher's desk: what no rule could route, possible duplicates, and overdue work."""
    if not user_is_dispatcher(request.user):
        raise PermissionDenied(_("The dispatch desk is for dispatchers."))
    now = timezone.now()
    return render(
        request,
        "issues/dispatch.html",
        {
            "unrouted": dispatch_unrouted(),
            "duplicates": dispatch_possible_duplicates(),
            "overdue": [{"issue": i, "due": deadline_in_words(i.resolve_due_at)} for i in dispatch_overdue(at=now)],
            "transition_form": TransitionForm(),
            "category_form": CategoryChangeForm(),
        },
    )
