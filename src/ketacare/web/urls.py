from django.contrib import admin
from django.urls import path

from ketacare.web.core_app import views as site_views

urlpatterns = [
    path("health/", site_views.health, name="health"),
    path("admin/", admin.site.urls),
]
