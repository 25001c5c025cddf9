from django.contrib import admin
from django.urls import include, path

from . import views
from .throttle import address_throttled

admin.site.site_header = "PL Coach administration"
admin.site.site_title = "PL Coach admin"
# The admin's own sign-in form checks passwords too: it counts towards an address's limit like the
# app's (a password sprayed across accounts through it was never paused). Set before its URLs are read.
admin.site.login = address_throttled(admin.site.login)

urlpatterns = [
    path("", include("progressions.urls")),
    path("", include("people.urls")),
    path("", include("reports.urls")),
    path("", include("observations.urls")),
    path("", include("dashboard.urls")),
    path("accounts/", include("plcoach.auth_urls")),
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("start/", views.start, name="start"),
    # /healthz/, the liveness probe, is answered before any URL is read (plcoach.middleware).
]
