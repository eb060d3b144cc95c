# Written by hand: every entry now has its position; one entry per position in a clinic.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_backfill")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("clinic", "seq"), name="audit_entry_one_per_position"
            ),
        ),
    ]
