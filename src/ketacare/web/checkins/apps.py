from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "ketacare.web.checkins"
    label = "checkins"
    verbose_name = "Self-report check-ins"
    default_auto_field = "django.db.models.BigAutoField"
