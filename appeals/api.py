"""The appeals' REST API (v1), issue 15 item 5. One thin view per operation: validate, call one
service or selector, serialize. Errors come out through opencity.api.exception_handler.

Appeals are private: every operation needs a signed-in caller, and an appeal the caller may not
read (appeals.selectors.appeal_for) is answered 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import user_executor, user_is_appeal_clerk
from appeals.downloads import appeal_file_response
from appeals.models import Appeal
from appeals.rules.transitions import AppealRole, AppealStatus, appeal_available_actions
from appeals.selectors import appeal_actor_roles, appeal_for, appeal_timeline, appeals_visible_to
from appeals.serializers import (
    AppealActionInput,
    AppealCreateInput,
    AppealDetailOutput,
    AppealListInput,
    AppealOutput,
    AppealTransitionInput,
    ShorterTermInput,
)
from appeals.services import AppealInput, appeal_ask_shorter_term, appeal_submit, appeal_transition_check
from appeals.services import AppealTransitionInput as TransitionData
from appeals.services import appeal_transition as appeal_transition_service
from media_store.formats import all_content_types
from media_store.selectors import media_get_many
from opencity.api import NO_FORMAT_PARAMETER
from opencity.errors import Forbidden, InvalidInput, NotFound
from opencity.openapi import BAD_REQUEST, FORBIDDEN, MEDIA_UNAVAILABLE, UNAUTHORIZED, error

# A registration number as appeal_next_ref makes it: DRH-A-2026-000123 (appeals), DRH-I-… (requests).
APPEAL_REF_PATTERN = r"^[A-Za-z0-9]+-[AI]-[0-9]{4}-[0-9]{6,}$"
IDEMPOTENCY_KEY_LENGTH = 64  # Appeal.idempotency_key

REF = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    pattern=APPEAL_REF_PATTERN,
    description="The registration number, e.g. DRH-A-2026-000123 (404 for one that does not exist or that "
    "the caller may not read).",
)
NOT_VISIBLE = error(
    "No such appeal, or not the caller's to read (the same answer: its existence is not revealed).",
    example_code="not_found",
)
NOT_NOW = error("Not possible in the appeal's present state.", example_code="transition_not_allowed")


class AppealPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


def _appeal_visible(*, user, ref: str) -> Appeal:
    """The appeal by its number as this user may read it, else 404 (never a 403)."""
    appeal = appeal_for(user=user, ref=ref)
    if appeal is None:
        raise NotFound(_("No such appeal."))
    return appeal


def detail_response(appeal: Appeal, *, user, status_code: int = status.HTTP_200_OK) -> Response:
    """The appeal as `user` sees it: the author only the steps meant for them, the council all of
    them; the actions the caller may take now."""
    roles = appeal_actor_roles(appeal=appeal, user=user)
    council = bool(roles & {AppealRole.CLERK, AppealRole.UNIT})
    context = {
        "timeline": list(appeal_timeline(appeal=appeal, for_author=not council)),
        "attachments": list(appeal.attachments.select_related("asset").order_by("role", "pk")),
        "available_actions": appeal_available_actions(status=AppealStatus(appeal.status), roles=roles),
        "may_ask_shorter_term": AppealRole.AUTHOR in roles and appeal.is_open,
    }
    return Response(AppealDetailOutput(appeal, context=context).data, status=status_code)


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        message = _("At most %(n)d printable characters.") % {"n": IDEMPOTENCY_KEY_LENGTH}
        raise InvalidInput(message, fields={"Idempotency-Key": [message]})
    return key


class AppealListCreateApi(mixins.ListModelMixin, GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = AppealPagination
    serializer_class = AppealOutput

    def get_queryset(self):
        filters = AppealListInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        scope, wanted_status = filters.validated_data["scope"], filters.validated_data["status"]
        user = self.request.user
        if scope == "own":
            appeals = Appeal.objects.filter(author=user).order_by("-received_at", "-pk")
        elif scope == "desk":
            if not user_is_appeal_clerk(user):
                raise Forbidden(_("The desk is for the general department."), code="not_appeal_clerk")
            appeals = appeals_visible_to(user).order_by("due_at", "pk")
        else:
            executor = user_executor(user)
            if executor is None:
                raise Forbidden(_("The unit's appeals are for its staff."), code="not_executor_staff")
            appeals = appeals_visible_to(user).filter(unit=executor).order_by("due_at", "pk")
        if wanted_status:
            appeals = appeals.filter(status=wanted_status)
        return appeals.select_related("unit")

    @extend_schema(
        tags=["appeals"],
        summary="My appeals (or the desk's, the unit's)",
        operation_id="appeals_list",
        parameters=[AppealListInput, NO_FORMAT_PARAMETER],
        responses={
            200: OpenApiResponse(AppealOutput(many=True), description="Newest first (desk and unit: soonest due)."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: error("`desk` is for the general department, `unit` for a unit's staff.", example_code="forbidden"),
        },
    )
    def get(self, request: Request) -> Response:
        """The caller's own appeals and requests; `scope=desk` every appeal (the general department),
        `scope=unit` those with the caller's structural unit."""
        return self.list(request)

    @extend_schema(
        tags=["appeals"],
        summary="Send an appeal or an information request",
        operation_id="appeals_create",
        parameters=[
            NO_FORMAT_PARAMETER,
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string per appeal (at most 64 characters): a retry with the same key "
                "returns the first appeal (200).",
            ),
        ],
        request={"application/json": AppealCreateInput},  # form bodies work too, as for the issues
        responses={
            201: OpenApiResponse(
                AppealDetailOutput, description="Registered: its number (`ref`) and the day the answer is due."
            ),
            200: OpenApiResponse(AppealDetailOutput, description="A retry: the appeal the key registered first."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: error(
                "The account's e-mail address is not confirmed yet (the answer is sent there).",
                example_code="email_not_confirmed",
            ),
            409: MEDIA_UNAVAILABLE,
        },
    )
    def post(self, request: Request) -> Response:
        """Register an appeal (proposal, application, complaint: Law 393/96-ВР) or a public-information
        request (Law 2939-VI): 201 with the registration number and the due date."""
        payload = AppealCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        key = _idempotency_key(request)
        media = media_get_many(public_ids=data["media"], uploaded_by=request.user)
        now = timezone.now()
        appeal = appeal_submit(
            author=request.user,
            data=AppealInput(
                kind=data["kind"],
                subject=data["subject"],
                text=data["text"],
                author_name=data["author_name"],
                postal_address=data["postal_address"],
                phone=data["phone"],
                category=data["category"],
                urgent=data["urgent"],
                urgent_reason=data["urgent_reason"],
                shorter_term_reason=data["shorter_term_reason"],
                privileged=data["privileged"],
                idempotency_key=key,
            ),
            media=tuple(media),
            now=now,
        )
        created = appeal.received_at == now  # an earlier one is returned to a retry with the same key
        return detail_response(
            _appeal_visible(user=request.user, ref=appeal.ref),
            user=request.user,
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AppealDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["appeals"],
        summary="One appeal",
        operation_id="appeals_retrieve",
        parameters=[REF],
        responses={
            200: OpenApiResponse(AppealDetailOutput, description="The appeal, its timeline, answer and files."),
            401: UNAUTHORIZED,
            404: NOT_VISIBLE,
        },
    )
    def get(self, request: Request, ref: str) -> Response:
        """One appeal, for its author (the steps meant for them), the general department and the unit
        it is with."""
        return detail_response(_appeal_visible(user=request.user, ref=ref), user=request.user)


class AppealTransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["appeals"],
        summary="Act on an appeal",
        operation_id="appeals_transition",
        parameters=[REF],
        request={"application/json": AppealTransitionInput},  # form bodies work too, as for the issues
        responses={
            200: OpenApiResponse(AppealDetailOutput, description="Done; the appeal as it is now."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_VISIBLE,
            409: error(
                "Not possible in the appeal's present state (`transition_not_allowed`), or a file given by id "
                "is unavailable (`media_unavailable`).",
                example_code="transition_not_allowed",
            ),
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        """Route, reassign, return, answer, refuse, forward, merge, extend or shorten: 200 with the
        new state; 403 for an action the caller may not take, 409 when the state does not allow it."""
        appeal = _appeal_visible(user=request.user, ref=ref)
        action = AppealActionInput(data=request.data)
        action.is_valid(raise_exception=True)
        # The right first: what the action names (a unit, an earlier appeal, files) is only looked up
        # for someone who may take it.
        appeal_transition_check(appeal=appeal, actor=request.user, action=action.validated_data["action"])
        payload = AppealTransitionInput(data=request.data, context={"user": request.user})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        media = media_get_many(public_ids=data["media"], uploaded_by=request.user)
        updated = appeal_transition_service(
            appeal=appeal,
            actor=request.user,
            action=data["action"],
            data=TransitionData(
                note=data["note"],
                unit=data["unit"],
                answer=data["answer"],
                outcome=data["outcome"],
                grounds=data["grounds"],
                forwarded_to=data["forwarded_to"],
                duplicate_of=data["duplicate_of"],
                last_day=data["last_day"],
                media=tuple(media),
            ),
        )
        # As the caller may see it now; a unit that handed it back reads what it just did, no more.
        return detail_response(appeal_for(user=request.user, ref=ref) or updated, user=request.user)


class AppealShorterTermApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["appeals"],
        summary="Ask for a shorter term",
        operation_id="appeals_shorter_term",
        parameters=[REF],
        request={"application/json": ShorterTermInput},  # form bodies work too, as for the issues
        responses={
            200: OpenApiResponse(AppealDetailOutput, description="Asked; the council decides (action `shorten`)."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: error("Only the appeal's author may ask.", example_code="action_forbidden"),
            404: NOT_VISIBLE,
            409: NOT_NOW,
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        """The author asks for the answer sooner, with the reason (Law 393/96-ВР, Art. 20)."""
        appeal = _appeal_visible(user=request.user, ref=ref)
        payload = ShorterTermInput(data=request.data)
        payload.is_valid(raise_exception=True)
        appeal_ask_shorter_term(appeal=appeal, actor=request.user, reason=payload.validated_data["reason"])
        return detail_response(_appeal_visible(user=request.user, ref=ref), user=request.user)


class AnyAccept(BaseContentNegotiation):
    """A file download answers with the file's own type whatever the client accepts; errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


# Every type media_store may hold (whatever this installation's Pillow reads: the schema is fixed).
FILE_TYPES = all_content_types()


class AppealAttachmentApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=["appeals"],
        summary="A file of an appeal or its answer",
        operation_id="appeals_attachment",
        parameters=[REF, OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in FILE_TYPES
            },
            (302, "application/json"): OpenApiResponse(
                description="On an object store: to a signed address that expires soon."
            ),
            (401, "application/json"): UNAUTHORIZED,
            (404, "application/json"): NOT_VISIBLE,
        },
    )
    def get(self, request: Request, ref: str, public_id) -> HttpResponse:
        """The file as stored (a photo or video without its metadata, a PDF byte for byte, so a
        signature in it still verifies), always as an attachment, checked on every request like the
        appeal itself; 404 for whoever may not read the appeal."""
        appeal = _appeal_visible(user=request.user, ref=ref)
        link = appeal.attachments.select_related("asset").filter(asset__public_id=public_id).first()
        if link is None:
            raise NotFound(_("No such file with this appeal."))
        return appeal_file_response(link, for_page=False)
