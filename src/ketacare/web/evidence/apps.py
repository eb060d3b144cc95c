from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ketacare.web.evidence"
    label = "evidence"
    verbose_name = "Evidence"
    default_auto_field = "django.db.models.BigAutoField"
