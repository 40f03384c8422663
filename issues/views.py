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
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import user_executor, user_is_dispatcher
from geo.mapconfig import layers_config, map_config
from issues.forms import CategoryChangeForm, CommentForm, QueueFilterForm, TransitionForm
from issues.models import FollowReason, Issue, IssueFollower, IssueStatus
from issues.presentation import deadline_in_words, event_summaries, outage_notice
from issues.rules.media import MAX_PHOTOS
from issues.rules.transitions import ActorRole, available_actions
from issues.selectors import (
    dispatch_overdue,
    dispatch_possible_duplicates,
    dispatch_unrouted,
    issue_for_viewer,
    issue_public_timeline,
    issue_timeline,
    queue_for_executor,
)
from issues.services import TransitionInput, issue_transition
from issues.services.media import media_intake_for_request
from issues.services.moderation import issue_change_category, issue_comment, issue_set_hidden
from opencity.errors import DomainError
from opencity.http import safe_next_url

DUE_SOON_HOURS = 24


def _issue_for_viewer(request: HttpRequest, ref: str) -> tuple[Issue, frozenset[ActorRole]]:
    issue, roles = issue_for_viewer(ref=ref, user=request.user)
    if issue is None:
        raise Http404
    return issue, roles


# Budget projects a dispatcher or executor may plan an issue against: current ones within this
# distance of the issue.
PLAN_PROJECT_RADIUS_M = 1000


def _projects_to_plan_against(issue: Issue) -> list:
    from geo.models import BudgetProject

    return list(
        BudgetProject.objects.near(issue.point, PLAN_PROJECT_RADIUS_M)
        .filter(status__in=["planned", "procurement", "in_progress"])
        .order_by("-budget_year", "title_uk")[:30]
    )


def _render_issue(request: HttpRequest, issue: Issue, roles, *, errors=None, status: int = 200) -> HttpResponse:
    staff = bool(roles & {ActorRole.EXECUTOR, ActorRole.DISPATCHER})
    events = list(issue_timeline(issue=issue) if staff else issue_public_timeline(issue=issue))
    summaries = event_summaries(events)  # the names they mention: one query each, not one per event
    timeline = [{"event": event, "summary": summary} for event, summary in zip(events, summaries, strict=True)]
    links = list(issue.media.select_related("asset").order_by("position", "pk"))
    viewer = request.user
    context = {
        "issue": issue,
        "report_media": [link.asset for link in links if link.role == "report"],
        "work_media": [link for link in links if link.role in ("before", "after")],
        "can_support": viewer.is_authenticated and issue.is_open and issue.reporter_id != viewer.pk,
        "supports": viewer.is_authenticated and issue.followers.filter(user=viewer, reason="supporter").exists(),
        "timeline": timeline,
        "outage_notice": outage_notice(kind=issue.outage.kind, expected_end=issue.outage.expected_end_at)
        if issue.outage_id and issue.outage.ended_at is None
        else "",
        "nearby_projects": _projects_to_plan_against(issue) if staff else [],
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
    # Photos past the limit are left out here rather than refused.
    photos = request.FILES.getlist("photos")[:MAX_PHOTOS]
    try:
        with media_intake_for_request(files=photos, uploaded_by=request.user) as intake:
            issue_transition(
                issue=issue,
                actor=request.user,
                action=data["action"],
                data=TransitionInput(
                    note=data["note"],
                    promised_date=data["promised_date"],
                    executor=data["executor"],
                    duplicate_of=duplicate_of,
                    budget_project_id=data["budget_project"].pk if data["budget_project"] else None,
                    media=tuple(intake.assets),
                ),
            )
    except DomainError as error:
        return _domain_error_response(request, issue, roles, error, "action")
    messages.success(request, _("Done: %(ref)s updated.") % {"ref": issue.ref})
    return redirect(safe_next_url(request, default=issue.get_absolute_url()))


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
    return redirect(safe_next_url(request, default=issue.get_absolute_url()))


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


@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an e-mail address from the link we sent, then send the person's held reports on."""
    from accounts.services import user_confirm_email
    from issues.services.reporting import issues_release_after_confirmation

    try:
        user = user_confirm_email(token=token)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("/")
    released = issues_release_after_confirmation(user=user)
    if released:
        messages.success(
            request,
            ngettext(
                "Thank you, your address is confirmed. Your report has been sent on.",
                "Thank you, your address is confirmed. Your %(count)d reports have been sent on.",
                len(released),
            )
            % {"count": len(released)},
        )
    else:
        messages.success(request, _("Thank you, your address is confirmed."))
    return redirect("issues:me" if request.user.is_authenticated else "/")


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """My issues: what I reported and what I support, with their statuses and my e-mail switches."""
    followed = (
        IssueFollower.objects.filter(user=request.user)
        .select_related("issue__category", "issue__executor")
        .order_by("-issue__updated_at")
    )
    return render(
        request,
        "issues/me.html",
        {
            "reported": [f for f in followed if f.reason == FollowReason.REPORTER],
            "supported": [f for f in followed if f.reason == FollowReason.SUPPORTER],
            "unconfirmed": request.user.email_confirmed_at is None,
        },
    )


@login_required
@require_POST
def me_notifications(request: HttpRequest, ref: str) -> HttpResponse:
    """Switch e-mails about one followed issue on or off."""
    from issues.services.support import issue_set_notifications

    issue = Issue.objects.filter(ref=ref).first()
    if issue is None:
        raise Http404
    try:
        follower = issue_set_notifications(issue=issue, user=request.user, notify=request.POST.get("notify") == "on")
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if follower.notify:
            messages.success(request, _("E-mails about %(ref)s are on.") % {"ref": issue.ref})
        else:
            messages.success(request, _("E-mails about %(ref)s are off.") % {"ref": issue.ref})
    return redirect("issues:me")


@login_required
@require_POST
def issue_support_page(request: HttpRequest, ref: str) -> HttpResponse:
    """ "Me too" from the issue page."""
    from issues.services.support import issue_support

    issue, roles = _issue_for_viewer(request, ref)
    try:
        _, added = issue_support(issue=issue, user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if added:
            messages.success(request, _("Thank you: your support is counted, and you will hear about changes."))
        else:
            messages.info(request, _("You already support this issue."))
    return redirect(issue.get_absolute_url())


def _map_texts() -> dict:
    """Every sentence the map's JavaScript shows, translated here so one catalogue covers all."""
    return {
        "statuses": {value: str(label) for value, label in IssueStatus.choices},
        "truncated": _("Showing the newest %(count)s here. Zoom in to see all."),
        "empty": _("No issues in this part of the map."),
        "reported": _("Reported"),
        "supporters": _("Supporters"),
        "open": _("Open the issue"),
        "support": _("Me too"),
        "supported": _("Supported"),
        "signInToSupport": _("Sign in to support it"),
        "pointChosen": _("The point is chosen. You can drag the pin to adjust it."),
        "locating": _("Finding your location…"),
        "noLocation": _("We could not get your location. Tap the map instead."),
        "outside": _("This place is outside the community. We can only take reports from inside its boundary."),
        "choosePoint": _("Please put the pin on the map."),
        "chooseCategory": _("Please choose a category."),
        "describe": _("Please describe the problem."),
        "photoRequired": _("This kind of problem needs a photo."),
        "tooManyPhotos": _("Up to 5 photos or one video."),
        "uploading": _("Uploading…"),
        "uploaded": _("Ready"),
        "processing": _("Processing…"),
        "uploadFailed": _("Could not upload this file."),
        "remove": _("Remove"),
        "usePhotoLocation": _("Put the pin where the photo was taken"),
        "photoLocation": _("This photo knows where it was taken: the pin is placed there. Drag it if that is wrong."),
        "sending": _("Sending…"),
        "sentTo": _("It has been sent to %(executor)s."),
        "answerBy": _("The answer is due by %(when)s."),
        "fixBy": _("The fix is due by %(when)s."),
        "waitsDispatcher": _("The dispatcher will decide who takes it; you will get an e-mail."),
        "waitsConfirmation": _(
            "Please confirm your e-mail address: we have sent you a link. Then your report goes on."
        ),
        "signInFirst": _("Please sign in or create an account to send the report. What you typed is kept."),
        "failed": _("Something went wrong. Please try again."),
        "rateLimited": _("You have sent many reports in the last hour. Please try again a little later."),
        "distance": _("%(metres)s m away"),
    }


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The city map: public issues, filters, the list of what is in view, and the report flow."""
    from django.urls import reverse

    from issues.models import CategoryGroup
    from issues.selectors import categories_active

    language = (request.LANGUAGE_CODE or "uk")[:2]
    groups: dict[int, dict] = {}
    for category in categories_active():
        group = groups.setdefault(
            category.group_id, {"code": category.group.code, "name": category.group.name, "categories": []}
        )
        notice = (
            category.urgent_notice_en if language == "en" and category.urgent_notice_en else category.urgent_notice_uk
        )
        group["categories"].append(
            {
                "code": category.code,
                "name": category.name,
                "duplicate_radius_m": category.duplicate_radius_m,
                "photo_required": category.photo_required,
                "urgent_notice": notice,
                "questions": [
                    {
                        "code": question.code,
                        "datatype": question.datatype,
                        "required": question.required,
                        "variable": question.variable,
                        "description": question.description,
                        "hint": question.datatype_description,
                        "options": [
                            {"key": item["key"], "name": question.value_name(item["key"])} for item in question.values
                        ],
                    }
                    for question in sorted(category.attributes.all(), key=lambda q: (q.order, q.pk))
                ],
            }
        )
    config = {
        **map_config(),
        "issuesUrl": reverse("api:issues"),
        "nearbyUrl": reverse("api:issues-nearby"),
        "mediaUrl": "/api/v1/media/",
        "loginUrl": reverse("accounts:login"),
        "authenticated": request.user.is_authenticated,
        "listLimit": 300,
    }
    return render(
        request,
        "geo/map.html",
        {
            "map_config": config,
            "layers_config": layers_config(),
            "map_texts": _map_texts(),
            "groups": CategoryGroup.objects.filter(categories__is_active=True).distinct().order_by("order", "code"),
            "statuses": IssueStatus.choices,
            "category_groups": list(groups.values()),
        },
    )


@require_GET
def issue_picture(request: HttpRequest, public_id: str, variant: str) -> HttpResponse:
    """Send the browser to a picture of a visible issue (its thumbnail or web size), wherever the
    storage keeps it; a picture of a hidden issue is not found."""
    from django.http import HttpResponseRedirect

    from issues.models import IssueMedia

    link = IssueMedia.objects.select_related("asset", "issue").filter(asset__public_id=public_id).first()
    if link is None or link.issue.is_hidden:
        raise Http404
    url = link.asset.thumbnail_url if variant == "thumbnail" else link.asset.display_url
    if not url:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, max-age=300"
    return response
