from django.urls import path

from media_store.api.views import MediaDetailView, MediaUploadView

app_name = "media_api"

urlpatterns = [
    path("media/", MediaUploadView.as_view(), name="upload"),
    path("media/<uuid:public_id>/", MediaDetailView.as_view(), name="detail"),
]
