from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("offline/", views.offline_shell, name="offline"),  # the service worker's copy of the map
    path("issues/pictures/<uuid:public_id>/<str:variant>/", views.issue_picture, name="picture"),
    path("issues/<str:ref>/", views.issue_detail, name="detail"),
    path("issues/<str:ref>/act/", views.issue_act, name="act"),
    path("issues/<str:ref>/moderate/", views.issue_moderate, name="moderate"),
    path("issues/<str:ref>/support/", views.issue_support_page, name="support"),
    path("me/", views.me, name="me"),
    path("me/notifications/<str:ref>/", views.me_notifications, name="me-notifications"),
    path("queue/", views.queue, name="queue"),
    path("dispatch/", views.dispatch, name="dispatch"),
]
