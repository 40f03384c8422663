from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("issues/<str:ref>/", views.issue_detail, name="detail"),
    path("issues/<str:ref>/act/", views.issue_act, name="act"),
    path("issues/<str:ref>/moderate/", views.issue_moderate, name="moderate"),
    path("queue/", views.queue, name="queue"),
    path("dispatch/", views.dispatch, name="dispatch"),
]
