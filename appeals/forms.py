"""Page forms of the appeals. They only shape input; the services (appeals.services) decide, and
their field messages (InvalidInput.fields) are put back onto these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor
from appeals.models import APPEAL_STATUS_LABELS, AppealKind, AppealOutcome, RefusalGround
from appeals.rules.transitions import AppealAction
from issues.models import Category

# The statuses by their names in the active language (the model keeps the codes only).
STATUS_LABELS = APPEAL_STATUS_LABELS  # the domain's names


class AppealForm(forms.Form):
    """The citizen's appeal or information request. Lengths and what the law requires are checked
    by appeal_submit; this form only keeps what was typed."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(
        label=_("Text of the appeal"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    category = forms.ModelChoiceField(
        label=_("Topic (optional)"),
        queryset=Category.objects.filter(is_active=True).select_related("group"),
        required=False,
        to_field_name="code",
        empty_label=_("Not sure"),
        help_text=_("Helps the general department send it to the right unit sooner."),
    )
    author_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    postal_address = forms.CharField(
        label=_("Postal address"),
        max_length=300,
        required=False,
        help_text=_("Required for an appeal (Law 393/96-ВР, Art. 5). Kept in your account for the next one."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)
    urgent = forms.BooleanField(
        label=_(
            "Urgent: the information is needed to protect life or freedom, or concerns the environment, "
            "food quality, an accident or a disaster (answered within 48 hours)"
        ),
        required=False,
    )
    urgent_reason = forms.CharField(
        label=_("Why it is urgent"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    shorter_term_reason = forms.CharField(
        label=_("I ask for a shorter term because (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    privileged = forms.BooleanField(
        label=_("I hold a legal privilege (e.g. a war veteran, a person with a disability): considered first"),
        required=False,
    )
    # The photos are read from request.FILES ("files", several) and checked by media_store; this
    # field only carries their error messages back to the form.
    files = forms.FileField(required=False)


class ShorterTermForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you need the answer sooner"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealActionForm(forms.Form):
    """One staff action from the desk, the queue or the appeal's page. Which fields an action needs
    is the status machine's business (appeals.rules.transitions, `requires`)."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in AppealAction])
    note = forms.CharField(required=False, max_length=4000)
    unit = forms.ModelChoiceField(
        queryset=Executor.objects.filter(is_active=True), required=False, to_field_name="code"
    )
    answer = forms.CharField(required=False, max_length=20000)
    outcome = forms.ChoiceField(choices=[("", "—"), *AppealOutcome.choices], required=False)
    grounds = forms.ChoiceField(choices=[("", "—"), *RefusalGround.choices], required=False)
    forwarded_to = forms.CharField(required=False, max_length=300)
    duplicate_of = forms.CharField(required=False, max_length=24)
    last_day = forms.DateField(required=False)


class DeskFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *AppealKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All open")), *STATUS_LABELS.items()])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
