from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.lockout import lockout_message, request_is_locked_out
from accounts.models import Language
from opencity.ratelimit import rate_limit_hit

# Password-reset e-mails per address per hour.
PASSWORD_RESETS_PER_HOUR = 3


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


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, with the site's own address in the link, the e-mail in the account's
    language, and a few e-mails per address an hour at most (so nobody can flood someone's mailbox
    through us). The page says the same whether or not an account has the address."""

    def get_users(self, email):
        if rate_limit_hit(
            key=f"password-reset:{email.strip().lower()}", limit=PASSWORD_RESETS_PER_HOUR, window_seconds=3600
        ):
            return iter(())
        return super().get_users(email)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        with translation.override(getattr(context.get("user"), "language", None) or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)

    def save(self, **kwargs):
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "site_url": settings.OPENCITY_SITE_URL.rstrip("/"),
        }
        return super().save(**kwargs)
