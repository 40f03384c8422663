"""The appeals' REST API under /api/v1/ (namespace api)."""

from django.urls import path

from appeals import api

urlpatterns = [
    path("appeals/", api.AppealListCreateApi.as_view(), name="appeals"),
    path("appeals/<str:ref>/", api.AppealDetailApi.as_view(), name="appeal-detail"),
    path("appeals/<str:ref>/transitions/", api.AppealTransitionApi.as_view(), name="appeal-transitions"),
    path("appeals/<str:ref>/shorter-term/", api.AppealShorterTermApi.as_view(), name="appeal-shorter-term"),
    path(
        "appeals/<str:ref>/attachments/<uuid:public_id>/",
        api.AppealAttachmentApi.as_view(),
        name="appeal-attachment",
    ),
]
