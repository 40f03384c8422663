"""People and the organisations they work for.

Why organisations live here and not in `issues/`: executors are referenced by the outage and budget
layers in `geo/` (a water outage is published by the water utility's staff), and `geo/` must never
depend on `issues/`. Keeping users and organisations in this small bottom layer lets both depend on
it without a cycle.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.localized import localized


class Language(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian")
    ENGLISH = "en", _("English")


class User(AbstractUser):
    """A person: citizen, executor staff, dispatcher or leadership (roles are groups/memberships)."""

    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.UKRAINIAN)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Where written answers to appeals go (Law 393/96-ВР, Art. 5 asks for it on an appeal); kept
    # from the first appeal so the next one need not ask again.
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(language__in=Language.values), name="user_language_valid"),
        ]


class LocalizedNameMixin(models.Model):
    """A name kept in Ukrainian and English; `name` gives the one for the active language."""

    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_uk, self.name_en)


class Executor(LocalizedNameMixin):
    """An organisation that fixes things: a municipal department, a utility, a contractor.

    Each has staff (users who act on its issues) and may name a supervisor organisation that
    overdue work is escalated to (e.g. the road service reports to the city's housing department).
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised",
    )
    is_active = models.BooleanField(_("active"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ExecutorMembership", related_name="executors", blank=True
    )

    class Meta:
        verbose_name = _("executor")
        verbose_name_plural = _("executors")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(supervisor=models.F("pk")), name="executor_not_own_supervisor"),
        ]


class ExecutorMembership(models.Model):
    """A user working for an executor. A person acts for one organisation at a time."""

    executor = models.ForeignKey(Executor, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    is_manager = models.BooleanField(_("manager"), default=False)

    class Meta:
        verbose_name = _("executor staff member")
        verbose_name_plural = _("executor staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.executor.code}"


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> "ApiKeyQuerySet":
        """Keys that still open the door: not revoked, and their account still active."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiKey(models.Model):
    """An integrator's key for the write side of Open311 (and whatever else asks for one).

    Issued and revoked by an administrator, tied to an account: what comes in through a key is
    done as that account (its rate limits, its reports). Only a SHA-256 digest of the key is kept —
    the key is 256 random bits, so a plain digest is as good as a slow password hash here and lets a
    request find its key with one indexed lookup. The key itself is shown once, when it is issued.
    `prefix` (its first characters) lets people tell their keys apart without revealing them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("integrator"), max_length=200, help_text=_("Who uses it, e.g. the app's name."))
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_key_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AccessTokenQuerySet(models.QuerySet):
    def unexpired(self, at) -> "AccessTokenQuerySet":
        """Tokens not yet past their expiry at `at`, of active accounts."""
        return self.filter(expires_at__gt=at, user__is_active=True)


class AccessToken(models.Model):
    """A sign-in token for the API (`Authorization: Token …`), got with a user name and password.

    Like ApiKey, only a SHA-256 digest is stored (the token is 256 random bits) and `prefix` tells
    tokens apart. A token expires (OPENCITY_API_TOKEN_DAYS) and dies with the password it was got
    with: `password_hash` is the account's session hash at issue time (Django's own rule for
    sessions), so every way of changing a password — the admin, a reset, `set_password` — revokes
    every token at once, with nothing to remember to call.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="access_tokens"
    )
    prefix = models.CharField(_("token starts with"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    password_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("issued at"), editable=False)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API sign-in token")
        verbose_name_plural = _("API sign-in tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="access_token_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="access_token_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"
