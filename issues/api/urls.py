from django.urls import path

from issues.api import tiles, views

urlpatterns = [
    path("categories/", views.CategoryListApi.as_view(), name="categories"),
    path("issues/", views.IssueListCreateApi.as_view(), name="issues"),
    path("issues/nearby/", views.IssueNearbyApi.as_view(), name="issues-nearby"),
    path("issues/cells/", views.IssueCellsApi.as_view(), name="issues-cells"),
    path("issues/<str:ref>/", views.IssueDetailApi.as_view(), name="issue-detail"),
    path("issues/<str:ref>/support/", views.IssueSupportApi.as_view(), name="issue-support"),
    path("issues/<str:ref>/media/", views.IssueMediaApi.as_view(), name="issue-media"),
    path("issues/<str:ref>/transition/", views.IssueTransitionApi.as_view(), name="issue-transition"),
    path("queue/", views.QueueApi.as_view(), name="queue"),
    path("tiles/issues/<str:z>/<str:x>/<str:y>.mvt", tiles.IssueTileApi.as_view(), name="tiles-issues"),
    path("tiles/issues.json", tiles.IssueTileJsonApi.as_view(), name="tilejson-issues"),
]
