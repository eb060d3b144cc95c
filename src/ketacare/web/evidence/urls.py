from django.urls import path

from ketacare.web.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.trial_list, name="trials"),
    path("trials/<slug:trial_id>/", views.trial_detail, name="trial"),
    path("pool/", views.pool_view, name="pool"),
    path("clinic/", views.clinic_vs_literature_view, name="clinic"),
]
