from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "ketacare.web.measures"
    label = "measures"
    verbose_name = "Measures and alerts"
    default_auto_field = "django.db.models.BigAutoField"
