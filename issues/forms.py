"""Page forms. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor
from geo.models import BudgetProject
from issues.models import Category, IssueStatus
from issues.rules.transitions import RESPONSIBLE_STATUSES, Action, statuses_in_order


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.value) for a in Action if a != Action.ROUTE])
    note = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    promised_date = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    executor = forms.ModelChoiceField(
        label=_("Executor"), queryset=Executor.objects.filter(is_active=True), required=False, to_field_name="code"
    )
    duplicate_of = forms.CharField(label=_("Reference of the original issue"), required=False, max_length=24)
    budget_project = forms.ModelChoiceField(
        label=_("Budget project"), queryset=BudgetProject.objects.all(), required=False
    )


class CategoryChangeForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), to_field_name="code"
    )


class CommentForm(forms.Form):
    note = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label=_("Visible to the public"), required=False)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open"))]
        + [(status, IssueStatus(status).label) for status in statuses_in_order(RESPONSIBLE_STATUSES)],
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, to_field_name="code", empty_label=_("All")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
