from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The top of the web layer: the dashboard, the patient chart, the reports and outcomes pages,
    the audit log pages and the API wiring (docs/decisions/0003-web-apps-in-one-direction.md)."""

    name = "ketacare.web.clinic"
    label = "clinic"
    verbose_name = "KetaCare site"

    def ready(self) -> None:
        from ketacare.web.clinic import celery_app  # noqa: F401  (the Celery app of the tasks)
