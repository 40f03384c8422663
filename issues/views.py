"""Pages for issues: the issue page, the executor's queue and the dispatcher's desk.

Each view checks the viewer's rights on the server, calls one service or selector, and renders.
Refused actions come back as messages on the same page with the right HTTP status; nothing is
half-done because the services are transactional.
"""

from __future__ import annotations

import mimetypes
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import user_executor, user_is_dispatcher
from accounts.services import user_confirm_email
from geo.mapconfig import layers_config, map_config
from geo.selectors import budget_projects_unfinished_near, districts_for_filters
from issues.forms import CategoryChangeForm, CommentForm, QueueFilterForm, TransitionForm
from issues.models import Issue, IssueStatus
from issues.presentation import deadline_in_words, event_summaries, outage_notice
from issues.rules.media import MAX_PHOTOS
from issues.rules.transitions import ActorRole, available_actions
from issues.selectors import (
    category_groups_active,
    category_groups_for_map,
    dispatch_overdue,
    dispatch_possible_duplicates,
    dispatch_unrouted,
    issue_by_ref,
    issue_for_viewer,
    issue_media_visible,
    issue_pictures,
    issue_public_timeline,
    issue_support_of_viewer,
    issue_timeline,
    issues_followed_by,
    queue_page_for_executor,
)
from issues.services import TransitionInput, issue_transition
from issues.services.lifecycle import issue_transition_check
from issues.services.media import media_intake_for_request
from issues.services.moderation import issue_change_category, issue_comment, issue_set_hidden
from issues.services.reporting import issues_release_after_confirmation
from issues.services.support import issue_set_notifications, issue_support
from issues.sql import MAP_PINS_ZOOM
from media_store.api.views import media_upload_allowed
from media_store.serving import local_file_response
from opencity.errors import DomainError, RateLimited
from opencity.http import safe_next_url


def _issue_for_viewer(request: HttpRequest, ref: str) -> tuple[Issue, frozenset[ActorRole]]:
    issue, roles = issue_for_viewer(ref=ref, user=request.user)
    if issue is None:
        raise Http404
    return issue, roles


# Budget projects a dispatcher or executor may plan an issue against: current ones within this
# distance of the issue.
PLAN_PROJECT_RADIUS_M = 1000


def _render_issue(request: HttpRequest, issue: Issue, roles, *, errors=None, status: int = 200) -> HttpResponse:
    staff = bool(roles & {ActorRole.EXECUTOR, ActorRole.DISPATCHER})
    events = list(issue_timeline(issue=issue) if staff else issue_public_timeline(issue=issue))
    summaries = event_summaries(events)  # the names they mention: one query each, not one per event
    timeline = [{"event": event, "summary": summary} for event, summary in zip(events, summaries, strict=True)]
    pictures = issue_pictures(issue=issue)
    support = issue_support_of_viewer(issue=issue, user=request.user)
    context = {
        "issue": issue,
        "report_media": pictures.report,
        "work_media": pictures.work,
        "can_support": support.can_support,
        "supports": support.supports,
        "timeline": timeline,
        "outage_notice": outage_notice(kind=issue.outage.kind, expected_end=issue.outage.expected_end_at)
        if issue.outage_id and issue.outage.ended_at is None
        else "",
        "nearby_projects": budget_projects_unfinished_near(point=issue.point, distance_m=PLAN_PROJECT_RADIUS_M)
        if staff
        else [],
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


@require_safe
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
        duplicate_of = issue_by_ref(ref=data["duplicate_of"].strip().upper())
        if duplicate_of is None:
            return _render_issue(
                request, issue, roles, errors={"action": [_("No issue with this reference.")]}, status=400
            )
    # Photos past the limit are left out here rather than refused.
    photos = request.FILES.getlist("photos")[:MAX_PHOTOS]
    try:
        if photos:
            # Only someone who may take this action has their files taken and processed.
            issue_transition_check(issue=issue, actor=request.user, action=data["action"])
            if media_upload_allowed(request, files=len(photos)) is not None:
                raise RateLimited(_("You have uploaded many files in the last hour. Please try again later."))
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
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """The executor's task queue: overdue first, then the nearest deadline."""
    executor = user_executor(request.user)
    if executor is None:
        raise PermissionDenied(_("The queue is for executors' staff."))
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = queue_page_for_executor(
        executor=executor,
        page=request.GET.get("page"),
        at=timezone.now(),
        status=chosen.get("status", ""),
        category=chosen.get("category"),
        overdue_only=chosen.get("overdue", False),
    )
    rows = [
        {"issue": entry.issue, "due": deadline_in_words(entry.issue.next_due_at), "state": entry.state}
        for entry in page.object_list
    ]
    return render(
        request,
        "issues/queue.html",
        {
            "executor": executor,
            "rows": rows,
            "page": page,
            "filters": filters,
            "today": timezone.localdate(),
            "assigned": IssueStatus.ASSIGNED,
        },
    )


@login_required
@require_safe
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


@require_safe
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an e-mail address from the link we sent, then send the person's held reports on."""
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
@require_safe
def me(request: HttpRequest) -> HttpResponse:
    """My issues: what I reported and what I support, with their statuses and my e-mail switches."""
    followed = issues_followed_by(user=request.user)
    return render(
        request,
        "issues/me.html",
        {
            "reported": followed.reported,
            "supported": followed.supported,
            "unconfirmed": request.user.email_confirmed_at is None,
        },
    )


@login_required
@require_POST
def me_notifications(request: HttpRequest, ref: str) -> HttpResponse:
    """Switch e-mails about one followed issue on or off."""
    issue = issue_by_ref(ref=ref)
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
    issue, roles = _issue_for_viewer(request, ref)
    try:
        _issue, added = issue_support(issue=issue, user=request.user)
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
        "crowded": _("%(count)s issues here: counted by area. Zoom in to see each one."),
        "cell": _("%(count)s issues here (%(open)s open, %(overdue)s overdue). Zoom in."),
        "moreIssues": _("Show more"),
        "empty": _("No issues in this part of the map."),
        "reported": _("Reported"),
        "supporters": _("Supporters"),
        "open": _("Open the issue"),
        "overdue": _("Overdue"),
        "detailsLoading": _("Loading the details…"),
        "detailsFailed": _("Could not load the details."),
        "retry": _("Try again"),
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
        # Kept on the device (static/js/report.js, static/js/draft-store.js).
        "savedOffline": _("Saved on this device; will send when you are back online."),
        "sendingSaved": _("Sending the report saved on this device…"),
        "retrying": _(
            "The report is saved on this device. The server did not answer; we will try again in %(seconds)s s."
        ),
        "signInToSend": _("The report is saved on this device. Sign in to send it."),
        "signIn": _("Sign in"),
        "restored": _("Your unfinished report was restored from this device."),
        "keptOnDevice": _("Saved on this device"),
        "sendNow": _("Try again now"),
    }


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    """The city map: public issues, filters, the list of what is in view, and the report flow."""
    return _map_render(request, offline_copy=False)


@require_safe
def offline_shell(request: HttpRequest) -> HttpResponse:
    """The map page as the service worker keeps it for when there is no connection: rendered for an
    anonymous visitor whoever asks (the worker stores it, so it must hold nobody's data), in the
    language of `?lang=`. Its report form keeps a report on the device until it can be sent."""
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    request.user = AnonymousUser()
    response = _map_render(request, offline_copy=True)
    response["Cache-Control"] = "no-cache"
    return response


def _map_render(request: HttpRequest, *, offline_copy: bool) -> HttpResponse:
    language = request.LANGUAGE_CODE or "uk"
    config = {
        **map_config(),
        "issuesUrl": reverse("api:issues"),
        "nearbyUrl": reverse("api:issues-nearby"),
        "mediaUrl": "/api/v1/media/",
        "loginUrl": reverse("accounts:login"),
        # In the offline copy nobody is known: the report is kept on the device and sent with the
        # browser's own session once there is a connection (the answer says whether one is needed).
        "authenticated": None if offline_copy else request.user.is_authenticated,
        "shell": offline_copy,
        "cellsUrl": reverse("api:issues-cells"),
        # From this zoom on the map shows each issue as a pin (below it, counts per cell), up to
        # pinsLimit of them in view (more are counted per cell); the list pages listPage at a time.
        "pinsZoom": MAP_PINS_ZOOM,
        "pinsLimit": settings.OPENCITY_ISSUE_LIST_LIMIT,
        "listPage": 50,
    }
    return render(
        request,
        "geo/map.html",
        {
            "map_config": config,
            "layers_config": layers_config(),
            "map_texts": _map_texts(),
            "groups": category_groups_active(),
            "statuses": IssueStatus.choices,
            "districts": districts_for_filters(),
            "category_groups": category_groups_for_map(language=language),
            "offline_shell": offline_copy,
        },
    )


@require_safe
def issue_picture(request: HttpRequest, public_id: uuid.UUID, variant: str) -> HttpResponse:
    """A picture (thumbnail, web size, a video's poster or the video) of a visible issue, checked on
    every request: a picture of a hidden issue is not found. Pages, the API and Open311 link here."""
    link = issue_media_visible(public_id=public_id)
    if link is None:
        raise Http404
    stored = link.asset.file_for(variant)
    if not stored:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = local_file_response(stored, content_type=content_type)
    if response is None:
        # Object storage: a signed URL that expires (OPENCITY_S3_URL_EXPIRE_SECONDS).
        response = HttpResponseRedirect(stored.url)
    response["Cache-Control"] = "private, max-age=300"
    return response
