from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class RegistrationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits; not a common password."),
    )
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=Language.choices, initial=Language.UKRAINIAN)
