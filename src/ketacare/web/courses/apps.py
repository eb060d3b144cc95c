from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "ketacare.web.courses"
    label = "courses"
    verbose_name = "Treatment courses"
    default_auto_field = "django.db.models.BigAutoField"
