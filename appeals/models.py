"""Written appeals to the council and public-information requests.

Private by law: an appeal's text and its author's data are never public. Only counts leave this
app (appeals.selectors.public_statistics). The status is written by one service
(appeals.services.appeal_transition), which appends an AppealEvent for every step.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, LocalizedNameMixin
from appeals.rules.terms import TermPolicy
from appeals.rules.transitions import OPEN_APPEAL_STATUSES, AppealStatus
from issues.models import Category, Issue, WorkingCalendar
from issues.rules.deadlines import TermUnit


class AppealKind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    APPLICATION = "application", _("application")
    COMPLAINT = "complaint", _("complaint")
    INFORMATION_REQUEST = "information_request", _("public-information request")


# The kinds the Law "On citizens' appeals" covers (the fourth has its own law).
CITIZENS_APPEAL_KINDS = frozenset({AppealKind.PROPOSAL, AppealKind.APPLICATION, AppealKind.COMPLAINT})


class TermUnitChoice(models.TextChoices):
    CALENDAR_DAYS = TermUnit.CALENDAR_DAYS.value, _("calendar days")
    WORKING_DAYS = TermUnit.WORKING_DAYS.value, _("working days")


class AppealPolicy(LocalizedNameMixin, models.Model):
    """The legal terms of one kind of appeal: data, so that a change in the law is an admin edit."""

    kind = models.CharField(_("kind"), max_length=24, choices=AppealKind, unique=True)
    unit = models.CharField(_("terms counted in"), max_length=16, choices=TermUnitChoice)
    standard_term = models.PositiveSmallIntegerField(_("standard term"), validators=[MinValueValidator(1)])
    short_term = models.PositiveSmallIntegerField(
        _("short term"), null=True, blank=True, help_text=_("No further study needed, or on the person's request.")
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent term, hours"), null=True, blank=True, help_text=_("Life, freedom, environment, accidents.")
    )
    longest_term = models.PositiveSmallIntegerField(
        _("longest total term"), null=True, blank=True, help_text=_("After an extension, counted from receipt.")
    )
    extension_notice_term = models.PositiveSmallIntegerField(
        _("extension notice within"),
        null=True,
        blank=True,
        help_text=_("The person is told of an extension within this term of receipt; empty: before the term ends."),
    )
    forward_term = models.PositiveSmallIntegerField(_("forward to another body within"), default=5)
    forward_unit = models.CharField(
        _("forwarding term counted in"), max_length=16, choices=TermUnitChoice, default=TermUnitChoice.CALENDAR_DAYS
    )
    roll_to_working_day = models.BooleanField(
        _("a term ending on a day off ends on the next working day"), default=True
    )
    warn_hours = models.PositiveSmallIntegerField(_("escalate this many hours before the term ends"), default=72)
    calendar = models.ForeignKey(WorkingCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    law_reference = models.CharField(_("law"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("appeal term policy")
        verbose_name_plural = _("appeal term policies")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AppealKind.values), name="appeal_policy_kind_valid"),
            models.CheckConstraint(
                condition=Q(short_term__isnull=True) | Q(short_term__lt=F("standard_term")),
                name="appeal_policy_short_is_shorter",
            ),
            models.CheckConstraint(
                condition=Q(longest_term__isnull=True) | Q(longest_term__gt=F("standard_term")),
                name="appeal_policy_longest_is_longer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_terms(self) -> TermPolicy:
        return TermPolicy(
            unit=TermUnit(self.unit),
            standard=self.standard_term,
            short=self.short_term,
            urgent_hours=self.urgent_hours,
            longest=self.longest_term,
            extension_notice=self.extension_notice_term,
            forward=self.forward_term,
            forward_unit=TermUnit(self.forward_unit),
            roll_to_working_day=self.roll_to_working_day,
            warn_hours=self.warn_hours,
        )


class AppealOutcome(models.TextChoices):
    """What the answer decided (public statistics count these)."""

    SUPPORTED = "supported", _("supported")
    EXPLAINED = "explained", _("explained")
    NOT_SUPPORTED = "not_supported", _("not supported")
    PROVIDED = "provided", _("information provided")
    PARTLY_PROVIDED = "partly_provided", _("information partly provided")


class RefusalGround(models.TextChoices):
    """The grounds the laws give for not considering an appeal or refusing a request."""

    ANONYMOUS = "anonymous", _("anonymous appeal (Law 393/96-ВР, Art. 8)")
    REPEATED = "repeated", _("repeat appeal already decided (Art. 8)")
    NOT_STATED = "not_stated", _("the matter is not stated (Art. 5)")
    NOT_HELD = "not_held", _("the body does not hold the information (Law 2939-VI, Art. 22)")
    RESTRICTED = "restricted", _("restricted information (Law 2939-VI, Art. 6)")
    NO_FEE = "no_fee", _("copying costs not paid (Law 2939-VI, Art. 21)")
    FORM = "form", _("the request does not meet Art. 19 (Law 2939-VI)")


class AppealQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[s.value for s in AppealStatus if s in OPEN_APPEAL_STATUSES])

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)


# The statuses' names for people (the status machine, appeals.rules, holds only the values).
APPEAL_STATUS_LABELS = {
    AppealStatus.REGISTERED.value: _("registered"),
    AppealStatus.ASSIGNED.value: _("with the unit"),
    AppealStatus.ANSWERED.value: _("answered"),
    AppealStatus.REFUSED.value: _("refused"),
    AppealStatus.FORWARDED.value: _("forwarded"),
    AppealStatus.MERGED.value: _("merged"),
}


class Appeal(models.Model):
    ref = models.CharField(_("registration number"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=AppealKind)
    policy = models.ForeignKey(AppealPolicy, verbose_name=_("term policy"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=16, choices=list(APPEAL_STATUS_LABELS.items()), default=AppealStatus.REGISTERED
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="appeals"
    )
    # The author's details as given on the appeal (the law asks for them on the appeal itself).
    author_name = models.CharField(_("name"), max_length=200)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail for the answer"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    privileged = models.BooleanField(
        _("holds a legal privilege"), default=False, help_text=_("Considered first (Law 393/96-ВР, Art. 20).")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reason = models.CharField(_("why urgent"), max_length=1000, blank=True)
    shorter_term_reason = models.CharField(_("why a shorter term is asked for"), max_length=1000, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("topic"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Executor,
        verbose_name=_("structural unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("answer due by"))
    forward_due_at = models.DateTimeField(_("forward by"))
    extended = models.BooleanField(_("term extended"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=20000)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AppealOutcome, blank=True)
    refusal_ground = models.CharField(_("grounds for refusal"), max_length=16, choices=RefusalGround, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=300, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("repeat of"), on_delete=models.PROTECT, null=True, blank=True, related_name="repeats"
    )
    # A map report the dispatcher turned into this appeal (or that this appeal became).
    issue = models.ForeignKey(
        Issue, verbose_name=_("map report"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AppealKind.values), name="appeal_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in AppealStatus]), name="appeal_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=AppealStatus.ASSIGNED) | Q(unit__isnull=False), name="appeal_assigned_has_unit"
            ),
            models.CheckConstraint(
                condition=~Q(status=AppealStatus.ANSWERED) | ~Q(answer=""), name="appeal_answered_has_answer"
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], condition=~Q(idempotency_key=""), name="appeal_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-received_at"], name="appeal_author_idx"),
            models.Index(
                fields=["unit", "due_at"],
                name="appeal_open_unit_due_idx",
                condition=Q(status__in=[s.value for s in AppealStatus if s in OPEN_APPEAL_STATUSES]),
            ),
            models.Index(fields=["status", "due_at"], name="appeal_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPEAL_STATUSES


class AppealEventKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    STATUS_CHANGED = "status_changed", _("status changed")
    TERM_CHANGED = "term_changed", _("term changed")  # extended or shortened, with the notice
    SHORTER_TERM_ASKED = "shorter_term_asked", _("shorter term asked for")
    DUE_SOON = "due_soon", _("term runs out soon")
    OVERDUE = "overdue", _("term missed")
    CONVERTED = "converted", _("converted")  # from or to a map report
    ATTACHMENT_ADDED = "attachment_added", _("attachment added")


class AppealEvent(models.Model):
    """One step in an appeal's life. Append-only (a trigger refuses updates and deletes).

    `for_author`: whether the author sees it in "my appeals" (internal steps, such as a unit handing
    it back, are not shown); no event is ever public.
    """

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=AppealEventKind)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    for_author = models.BooleanField(default=True)
    note = models.TextField(blank=True, max_length=4000)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AppealEventKind.values), name="appeal_event_kind_valid"),
            # The sweep warns and records a missed term once per due date, however often it runs.
            models.UniqueConstraint(
                F("appeal"),
                F("kind"),
                KeyTextTransform("due_at", "data"),
                condition=Q(kind__in=["due_soon", "overdue"]),
                name="appeal_event_sweep_once",
            ),
        ]
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_event_appeal_at_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class AttachmentRole(models.TextChoices):
    APPEAL = "appeal", _("with the appeal")
    ANSWER = "answer", _("with the answer")


class AppealAttachment(models.Model):
    """A file with an appeal or its answer, kept by media_store in its private (withheld) storage."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    asset = models.OneToOneField("media_store.MediaAsset", on_delete=models.PROTECT, related_name="appeal_link")
    role = models.CharField(_("role"), max_length=8, choices=AttachmentRole, default=AttachmentRole.APPEAL)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.role} {self.asset_id}"


class AppealRefCounter(models.Model):
    """The last registration number per prefix and year: DRH-A-2026-000123 for appeals, DRH-I-2026-000045
    for information requests (ASCII, so that a number fits any URL and any mail system)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="appeal_ref_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class AppealNotificationDelivery(models.Model):
    """An e-mail about an appeal's event reached this address (a retried task never sends it twice)."""

    event = models.ForeignKey(AppealEvent, on_delete=models.CASCADE, related_name="deliveries")
    email = models.CharField(max_length=254)  # lower-cased
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="appeal_delivery_once")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.email}"
