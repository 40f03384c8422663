"""The conversion pages: a form (GET) and its action (POST) for each direction.

Who may: the dispatcher turns a map report into an appeal; the general department turns an appeal
into a map report. An issue or an appeal the person may not see is a 404 (its existence is not
revealed); one they see but may not convert is a 403. A refusal by the service is the form again
with its message (400 for input, 409 for a state that does not allow it), never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.roles import user_is_appeal_clerk, user_is_dispatcher
from appeals.conversion import AppealToIssueInput, IssueToAppealInput, appeal_from_issue, issue_from_appeal
from appeals.models import CITIZENS_APPEAL_KINDS, AppealKind
from appeals.selectors import appeal_for
from issues.models import Category
from issues.selectors import issue_for_viewer
from opencity.errors import DomainError


class IssueToAppealForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of appeal"), choices=AppealKind.choices)
    author_name = forms.CharField(
        label=gettext_lazy("The reporter's full name"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Only when their account has none."),
    )
    postal_address = forms.CharField(
        label=gettext_lazy("The reporter's postal address"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Only when their account has none; an information request needs none."),
    )
    hide = forms.BooleanField(label=gettext_lazy("Also hide the report from the public map"), required=False)


class AppealToIssueForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("group").order_by("group__code", "code"),
        required=False,
        empty_label="—",
    )
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description for the map"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Public on the map: leave out names, flat numbers and anything private."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the author"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lon" if data.get("lon") is None else "lat", _("Give both the latitude and the longitude."))
        return data

    def point(self) -> Point | None:
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        return Point(lon, lat, srid=4326) if lat is not None and lon is not None else None


# The service's names for what a form asks as other fields.
FIELD_ALIASES = {"point": "lat"}


def _refused(form: forms.Form, error: DomainError) -> None:
    """The service's refusal on the form: field messages on their fields, the rest on top."""
    placed = False
    for name, field_messages in error.fields.items():
        name = FIELD_ALIASES.get(name, name)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed or error.status != 400:
        form.add_error(None, str(error.message))


@login_required
@require_http_methods(["GET", "POST"])
def appeal_from_issue_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The dispatcher turns a map report into an appeal in its reporter's name."""
    issue, _roles = issue_for_viewer(ref=ref, user=request.user)
    if issue is None:
        raise Http404
    if not user_is_dispatcher(request.user):
        raise PermissionDenied(_("Only the dispatcher may do this."))
    reporter = issue.reporter
    form = IssueToAppealForm(request.POST or None, initial={"kind": AppealKind.COMPLAINT})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = appeal_from_issue(
                    issue=issue,
                    actor=request.user,
                    data=IssueToAppealInput(
                        kind=data["kind"],
                        author_name=data["author_name"],
                        postal_address=data["postal_address"],
                        hide=data["hide"],
                    ),
                )
            except DomainError as error:
                _refused(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Done: %(issue)s is now appeal %(ref)s.") % {"issue": issue.ref, "ref": appeal.ref}
                )
                return redirect("issues:detail", issue.ref)
        else:
            status = 400
    context = {
        "issue": issue,
        "form": form,
        "reporter": reporter,
        "needs_address": reporter is not None and not reporter.postal_address,
        "needs_name": reporter is not None and not reporter.get_full_name().strip(),
        "appeal_kinds": sorted(CITIZENS_APPEAL_KINDS),
    }
    return render(request, "appeals/conversion/from_issue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def issue_from_appeal_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The general department turns an appeal into a map report in its author's name."""
    appeal = appeal_for(user=request.user, ref=ref)
    if appeal is None:
        raise Http404
    if not user_is_appeal_clerk(request.user):
        raise PermissionDenied(_("Only the general department may do this."))
    form = AppealToIssueForm(
        request.POST or None, initial={"category": appeal.category_id, "description": appeal.subject}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                issue = issue_from_appeal(
                    appeal=appeal,
                    actor=request.user,
                    data=AppealToIssueInput(
                        category=data["category"],
                        point=form.point(),
                        description=data["description"],
                        address=data["address"],
                        note=data["note"],
                    ),
                )
            except DomainError as error:
                _refused(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Done: %(ref)s is now map report %(issue)s.") % {"ref": appeal.ref, "issue": issue.ref}
                )
                return redirect("issues:detail", issue.ref)
        else:
            status = 400
    return render(request, "appeals/conversion/to_issue.html", {"appeal": appeal, "form": form}, status=status)
