from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_list, name="list"),
    path("alerts/new/", views.alert_new, name="new"),
    path("alerts/<int:pk>/edit/", views.alert_edit, name="edit"),
    path("alerts/<int:pk>/delete/", views.alert_remove, name="delete"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="unsubscribe"),
    path("alerts/districts/<slug:code>/feed.atom", views.district_feed, name="district-feed"),
    path("alerts/feed/<str:token>.atom", views.alert_feed, name="feed"),
]
