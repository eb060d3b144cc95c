"""API tokens get an expiry and a scope; clinics get the roles that must use a second factor.

Tokens issued before this migration were unlimited: they keep read-write scope (what they could
do) and expire 90 days after the migration runs, so no device stops working on upgrade day.
"""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=90), scope="read_write"
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="require_mfa_for",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    "roles that must sign in with a second factor, e.g. "
                    '["prescriber", "clinic_admin"]; they enrol before anything else'
                ),
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")],
                default="read",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
