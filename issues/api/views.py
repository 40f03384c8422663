"""The issues API (v1). One thin view per operation: validate, call one service or selector,
serialize. Errors come out through opencity.api.exception_handler."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import user_executor
from issues.api.serializers import (
    CategoryOutput,
    IssueCreateInput,
    IssueDetailOutput,
    IssueListFilterInput,
    QueueItemOutput,
    TransitionInput,
)
from issues.models import Issue
from issues.rules.transitions import ActorRole
from issues.selectors import categories_active, issue_public_timeline, queue_for_executor
from issues.services import TransitionInput as TransitionData
from issues.services import issue_actor_roles, issue_create, issue_transition
from issues.sql import issue_layer_geojson
from opencity.errors import Forbidden


def issue_visible_to(*, ref: str, user) -> Issue:
    """The issue by reference; a hidden one only for its reporter, its executor and dispatchers."""
    issue = get_object_or_404(
        Issue.objects.select_related("category__group", "district", "executor", "duplicate_of"), ref=ref
    )
    if issue.is_hidden and not issue_actor_roles(issue=issue, user=user) & {
        ActorRole.REPORTER,
        ActorRole.EXECUTOR,
        ActorRole.DISPATCHER,
    }:
        from django.http import Http404

        raise Http404
    return issue


def detail_response(issue: Issue, *, status_code: int = status.HTTP_200_OK) -> Response:
    data = IssueDetailOutput(issue, context={"timeline": issue_public_timeline(issue=issue)}).data
    return Response(data, status=status_code)


class CategoryListApi(APIView):
    """Categories a citizen can choose, with their group, SLA targets and urgent notices."""

    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(categories_active(), many=True).data)


class IssueListCreateApi(APIView):
    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else []

    def get(self, request: Request) -> HttpResponse:
        """The public issues as a GeoJSON FeatureCollection built by PostGIS."""
        filters = IssueListFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        body = issue_layer_geojson(filters=filters.to_filter(), language=get_language() or "uk")
        return HttpResponse(body, content_type="application/geo+json")

    def post(self, request: Request) -> Response:
        """Report a problem. A retry with the same Idempotency-Key header returns the first issue."""
        payload = IssueCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = issue_create(
            reporter=request.user,
            category=data["category"],
            description=data["description"],
            point=data["location"],
            address=data["address"],
            source="api",
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return detail_response(
            result.issue, status_code=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class IssueDetailApi(APIView):
    def get(self, request: Request, ref: str) -> Response:
        """One issue with its public timeline."""
        return detail_response(issue_visible_to(ref=ref, user=request.user))


class IssueTransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, ref: str) -> Response:
        """Take an action on an issue: 200 with the new state, 403, 409 or 400."""
        issue = issue_visible_to(ref=ref, user=request.user)
        payload = TransitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        updated = issue_transition(
            issue=issue,
            actor=request.user,
            action=data["action"],
            data=TransitionData(
                note=data["note"],
                promised_date=data["promised_date"],
                executor=data["executor"],
                duplicate_of=data["duplicate_of"],
            ),
        )
        return detail_response(Issue.objects.select_related("category", "district", "executor").get(pk=updated.pk))


class QueueApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        """The signed-in executor's open issues: overdue first, then by the nearest deadline."""
        executor = user_executor(request.user)
        if executor is None:
            raise Forbidden(_("The queue is for executors' staff."), code="not_executor_staff")
        return Response(QueueItemOutput(queue_for_executor(executor=executor), many=True).data)
