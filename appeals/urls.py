"""The appeals' pages under /appeals/: the citizen's form and "my appeals", the general department's
desk, the unit's queue."""

from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeals_index, name="index"),
    path("new/", views.appeal_new, name="new"),
    path("mine/", views.appeals_mine, name="mine"),
    path("desk/", views.appeals_desk, name="desk"),
    path("queue/", views.appeals_queue, name="queue"),
    path("<str:ref>/", views.appeal_detail, name="detail"),
    path("<str:ref>/act/", views.appeal_act, name="act"),
    path("<str:ref>/shorter-term/", views.appeal_shorter_term, name="shorter-term"),
    path("<str:ref>/files/<uuid:public_id>/", views.appeal_file, name="file"),
]
