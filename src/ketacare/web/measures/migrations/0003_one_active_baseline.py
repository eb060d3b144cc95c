"""One active baseline per course and scale, enforced by the database.

Two requests at the same instant could each store a baseline for one course. Before the
constraint is added, any such pair is reported and the migration stops: which of two baselines is
the right one is a clinician's decision (withdraw the wrong one in the app, with its reason), not
a migration's.
"""

from django.db import migrations, models


def refuse_duplicate_baselines(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    duplicates = (
        Measure.objects.filter(is_baseline=True, withdrawn=False, course__isnull=False)
        .values("course_id", "scale_id")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
    )
    lines = []
    for row in duplicates:
        uuids = Measure.objects.filter(
            course_id=row["course_id"],
            scale_id=row["scale_id"],
            is_baseline=True,
            withdrawn=False,
        ).values_list("uuid", flat=True)
        lines.append(
            f"course id {row['course_id']}, {row['scale_id']}: " + ", ".join(map(str, uuids))
        )
    if lines:
        raise RuntimeError(
            "Courses with more than one active baseline of a scale; withdraw the wrong one "
            "(with its reason) before migrating:\n  " + "\n  ".join(lines)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_initial"),
        ("measures", "0002_course_latest_index"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicate_baselines, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_baseline", True), ("withdrawn", False)),
                fields=("course", "scale_id"),
                name="measure_one_active_baseline_per_course_scale",
            ),
        ),
    ]
