from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ketacare.web.accounts"
    label = "accounts"
    verbose_name = "Clinics, users and roles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ketacare.web.accounts import events

        events.connect()
