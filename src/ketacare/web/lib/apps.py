from django.apps import AppConfig


class LibConfig(AppConfig):
    """The leaf of the web layer: helpers every app may import; it imports no app."""

    name = "ketacare.web.lib"
    label = "lib"
    verbose_name = "KetaCare helpers"

    def ready(self) -> None:
        from ketacare.web.lib import checks  # noqa: F401  (registers the system checks)
