from django.apps import AppConfig


class CoreAppConfig(AppConfig):
    name = "ketacare.web.core_app"
    label = "core_app"
    verbose_name = "KetaCare site"

    def ready(self) -> None:
        from ketacare.web import celery_app  # noqa: F401  (the Celery app of the tasks)
        from ketacare.web.core_app import checks  # noqa: F401  (registers system checks)
