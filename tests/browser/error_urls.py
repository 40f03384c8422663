"""The project's URLs plus one view that fails, so the browser tests can open the real 500 page
(the project's own handler, as a visitor would meet it). Used only through override_settings."""

from django.urls import path

from opencity.urls import handler403, handler404, handler500
from opencity.urls import urlpatterns as project_urlpatterns

SERVER_ERROR_PATH = "/test-only/server-error/"


def fail(request):  # noqa: ARG001
    raise RuntimeError("a deliberate server error for the error page's check")


urlpatterns = [path(SERVER_ERROR_PATH.strip("/") + "/", fail), *project_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
