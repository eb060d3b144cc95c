from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "ketacare.web.notify"
    label = "notify"
    verbose_name = "Messages to patients (SMS and email)"
