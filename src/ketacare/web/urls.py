from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

from ketacare.web.clinic import views as site_views
from ketacare.web.clinic.api import api, register_routers
from ketacare.web.patients import urls as patient_urls

register_routers()

urlpatterns = [
    path("", site_views.home, name="home"),
    path("health/", site_views.health, name="health"),
    path("accounts/", include("ketacare.web.accounts.urls")),
    path("dashboard/", site_views.dashboard, name="dashboard"),
    path("outcomes/", site_views.reports, name="reports"),
    path("reports/", include("ketacare.web.clinic.reports.urls")),
    # the patients app's pages, and the chart that the clinic app composes, in one namespace
    path(
        "patients/",
        include(
            (
                [
                    *patient_urls.urlpatterns,
                    path("<uuid:patient_uuid>/", site_views.patient_detail, name="detail"),
                ],
                patient_urls.app_name,
            )
        ),
    ),
    path("courses/", include("ketacare.web.courses.urls")),
    path("measures/", include("ketacare.web.measures.urls")),
    path("sessions/", include("ketacare.web.treatments.urls")),
    path("", include("ketacare.web.checkins.urls")),
    path("audit/", include("ketacare.web.clinic.audit_urls")),
    path("evidence/", include("ketacare.web.evidence.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG or getattr(settings, "DEMO", False):
    # `ketacare demo` serves the app's own CSS and htmx (runserver does so only with DEBUG);
    # production serves STATIC_ROOT from the web server (see docs/configuration.md).
    urlpatterns += [re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True})]
