"""An index for the dashboard's "measures due": the latest measure of each active course."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="measure",
            index=models.Index(
                fields=["course", "withdrawn", "taken_at"], name="measure_course_latest"
            ),
        ),
    ]
