"""Input and output serializers of the appeals' API. Inputs only check shapes and look up what
they name; every rule (what the law requires on an appeal, who may do what) lives in the services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Executor
from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealKind, AppealOutcome, RefusalGround
from appeals.rules.transitions import AppealAction, AppealStatus
from appeals.selectors import appeals_visible_to
from appeals.services import MAX_NOTE_LENGTH, MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH
from issues.api.serializers import CategoryCodeField

STATUS_CHOICES = [status.value for status in AppealStatus]
ACTION_CHOICES = [action.value for action in AppealAction]
MEDIA_FIELD_HELP = (
    "Ids of earlier uploads (POST /api/v1/media/: photos, videos or PDF documents such as a scan or a signed "
    "answer), at most 5; kept private with the appeal."
)


def _media_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=5, help_text=MEDIA_FIELD_HELP
    )


class AppealCreateInput(serializers.Serializer):
    """A new appeal or information request. Blank texts and the fields the law requires on an appeal
    (a name, a postal address) are checked by appeals.services.appeal_submit, with its messages."""

    kind = serializers.ChoiceField(
        choices=AppealKind.choices, error_messages={"invalid_choice": _("Choose the kind of appeal.")}
    )
    subject = serializers.CharField(max_length=MAX_SUBJECT_LENGTH, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, trim_whitespace=False)
    postal_address = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required on a proposal, application or complaint when the account has none yet (then kept).",
    )
    author_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Default: the account's full name."
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    urgent = serializers.BooleanField(
        required=False, default=False, help_text="Information requests only: answered within 48 hours."
    )
    urgent_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    shorter_term_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    privileged = serializers.BooleanField(
        required=False, default=False, help_text="The author holds a legal privilege (considered first)."
    )
    category = CategoryCodeField(required=False, allow_null=True, default=None)
    media = _media_field()


@extend_schema_field(serializers.CharField(help_text="The registration number of the earlier appeal."))
class VisibleAppealField(serializers.Field):
    """An appeal by its registration number, among those the caller may read (others are unknown)."""

    default_error_messages = {"does_not_exist": _("No appeal with the number “{value}”.")}

    def to_internal_value(self, data) -> Appeal:
        ref = str(data).strip()
        appeal = appeals_visible_to(self.context["user"]).filter(ref=ref).first() if ref else None
        if appeal is None:
            self.fail("does_not_exist", value=ref)
        return appeal

    def to_representation(self, value: Appeal) -> str:
        return value.ref


class AppealActionInput(serializers.Serializer):
    """Only the action: read first, so that the right to take it is checked before anything it names."""

    action = serializers.ChoiceField(
        choices=ACTION_CHOICES,
        error_messages={"invalid_choice": _("Unknown action.")},
    )


class AppealTransitionInput(AppealActionInput):
    """An action and the fields it needs (the transition table in appeals.rules.transitions says which)."""

    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Executor.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="route, reassign: the structural unit's code.",
        error_messages={"does_not_exist": _("Unknown executor “{value}”.")},
    )
    answer = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default="", help_text="answer: the answer."
    )
    outcome = serializers.ChoiceField(
        choices=AppealOutcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="answer: what it decided.",
        error_messages={"invalid_choice": _("Choose what the answer decided.")},
    )
    grounds = serializers.ChoiceField(
        choices=RefusalGround.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="refuse: the legal grounds.",
        error_messages={"invalid_choice": _("Choose the legal grounds for the refusal.")},
    )
    forwarded_to = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="forward: the competent body."
    )
    duplicate_of = VisibleAppealField(required=False, allow_null=True, default=None, help_text="merge.")
    last_day = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="extend, shorten: the new last day (empty: the longest / the short term the law gives).",
    )
    note = serializers.CharField(
        max_length=MAX_NOTE_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why (return, refuse, forward, extend: required; the author reads it unless it is internal).",
    )
    media = _media_field()


class ShorterTermInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False)


class AppealListInput(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["own", "desk", "unit"],
        required=False,
        default="own",
        help_text="own: the caller's appeals; desk: every appeal (the general department); unit: those with "
        "the caller's structural unit.",
    )
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False, allow_blank=True, default="")


class UnitOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AppealLinksOutput(serializers.Serializer):
    self = serializers.CharField(help_text="This appeal in the API.")
    transitions = serializers.CharField()
    shorter_term = serializers.CharField()


def appeal_links(appeal: Appeal) -> dict:
    return {
        "self": reverse("api:appeal-detail", args=[appeal.ref]),
        "transitions": reverse("api:appeal-transitions", args=[appeal.ref]),
        "shorter_term": reverse("api:appeal-shorter-term", args=[appeal.ref]),
    }


class AppealOutput(serializers.Serializer):
    """An appeal in a list: what identifies it and where it stands, no text."""

    ref = serializers.CharField()
    kind = serializers.ChoiceField(choices=AppealKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    subject = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    urgent = serializers.BooleanField()
    extended = serializers.BooleanField()
    unit = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(UnitOutput(allow_null=True))
    def get_unit(self, appeal: Appeal) -> dict | None:
        return {"code": appeal.unit.code, "name": appeal.unit.name} if appeal.unit_id else None

    @extend_schema_field(AppealLinksOutput)
    def get_links(self, appeal: Appeal) -> dict:
        return appeal_links(appeal)


class AppealEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class AppealAttachmentOutput(serializers.Serializer):
    id = serializers.UUIDField(source="asset.public_id")
    role = serializers.CharField(help_text="`appeal`: sent with it; `answer`: with the answer.")
    kind = serializers.CharField(source="asset.kind", help_text="`photo`, `video` or `document` (a PDF).")
    content_type = serializers.CharField(source="asset.content_type")
    size_bytes = serializers.IntegerField(source="asset.size_bytes")
    page_count = serializers.IntegerField(
        source="asset.page_count", allow_null=True, help_text="A PDF's number of pages (null for a photo or video)."
    )
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The file, for whoever may read the appeal.")

    def get_url(self, link: AppealAttachment) -> str:
        return reverse("api:appeal-attachment", args=[link.appeal.ref, link.asset.public_id])


class AppealDetailOutput(AppealOutput):
    """One appeal as its author or the council sees it (the context holds the caller's view)."""

    text = serializers.CharField()
    author_name = serializers.CharField()
    postal_address = serializers.CharField(allow_blank=True)
    email = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    privileged = serializers.BooleanField()
    urgent_reason = serializers.CharField(allow_blank=True)
    shorter_term_reason = serializers.CharField(allow_blank=True)
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    forward_due_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField(allow_blank=True, help_text="The answer, or the refusal's explanation.")
    outcome = serializers.CharField(allow_blank=True)
    refusal_ground = serializers.CharField(allow_blank=True)
    forwarded_to = serializers.CharField(allow_blank=True)
    duplicate_of = serializers.CharField(source="duplicate_of.ref", default=None, allow_null=True)
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    may_ask_shorter_term = serializers.SerializerMethodField()

    @extend_schema_field(AppealEventOutput(many=True))
    def get_timeline(self, appeal: Appeal) -> list:
        events: list[AppealEvent] = self.context["timeline"]
        return AppealEventOutput(events, many=True).data

    @extend_schema_field(AppealAttachmentOutput(many=True))
    def get_attachments(self, appeal: Appeal) -> list:
        links = self.context["attachments"]
        return AppealAttachmentOutput(links, many=True).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=ACTION_CHOICES),
            help_text="What the caller may do now (POST …/transitions/).",
        )
    )
    def get_available_actions(self, appeal: Appeal) -> list[str]:
        return [str(action) for action in self.context["available_actions"]]

    def get_may_ask_shorter_term(self, appeal: Appeal) -> bool:
        """True for the author while the appeal is open (POST …/shorter-term/)."""
        return bool(self.context["may_ask_shorter_term"])
