from django.contrib import admin
from django.urls import include, path

from ketacare.web.core_app import views as site_views
from ketacare.web.core_app.api import api, register_routers

register_routers()

urlpatterns = [
    path("", site_views.home, name="home"),
    path("health/", site_views.health, name="health"),
    path("accounts/", include("ketacare.web.accounts.urls")),
    path("dashboard/", site_views.dashboard, name="dashboard"),
    path("outcomes/", site_views.reports, name="reports"),
    path("patients/", include("ketacare.web.patients.urls")),
    path("courses/", include("ketacare.web.courses.urls")),
    path("measures/", include("ketacare.web.measures.urls")),
    path("sessions/", include("ketacare.web.treatments.urls")),
    path("audit/", include("ketacare.web.audit.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
