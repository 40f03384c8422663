from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.lockout import lockout_message, request_is_locked_out
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


class LockoutMixin:
    """A sign-in form that says "locked out" instead of "wrong password" when django-axes refused."""

    def get_invalid_login_error(self):
        if request_is_locked_out(self.request):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class SignInForm(LockoutMixin, AuthenticationForm):
    """The sign-in page's form."""


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The admin's sign-in form."""
