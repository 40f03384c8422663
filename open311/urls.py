"""/open311/v2/: each resource takes its format as a suffix (`services.json`, `services.xml`).
Any suffix is routed, so an unknown one gets the spec's error list instead of a bare 404."""

from django.urls import path, re_path

from open311 import views

app_name = "open311"

FORMAT = r"(?:\.(?P<fmt>[^/]*))?$"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/.]+)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.requests, name="requests"),
    re_path(r"^requests/(?P<ref>[^/.]+)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FORMAT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FORMAT, views.updates, name="updates"),
]
