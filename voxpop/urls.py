"""Every route of Voxpop, in one table."""
from django.urls import include, path

urlpatterns = [
    path("", include("voxpop.reader.urls")),
    path("api/v1/", include("voxpop.api.urls")),
    path("moderation/", include("voxpop.workspace.urls")),
    path("", include("voxpop.site.urls")),
]

handler404 = "voxpop.api.views.page_not_found"
handler500 = "voxpop.api.views.server_error"
