"""Walks close for logging: until now they stayed open to their observers for good. Existing walks
get the usual window, through the 14th day after their date (local time)."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def open_for_the_usual_window(apps, schema_editor):
    ProgressionWalk = apps.get_model("observations", "ProgressionWalk")
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    walks = list(ProgressionWalk.objects.only("pk", "date"))
    for walk in walks:
        walk.logging_ends_at = datetime.combine(walk.date + timedelta(days=15), time.min, tzinfo=local)
    ProgressionWalk.objects.bulk_update(walks, ["logging_ends_at"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("observations", "0009_walk_rating_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressionwalk",
            name="logging_ends_at",
            field=models.DateTimeField(null=True, help_text="New walkthroughs are logged in the walk until then."),
        ),
        migrations.RunPython(open_for_the_usual_window, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="progressionwalk",
            name="logging_ends_at",
            field=models.DateTimeField(help_text="New walkthroughs are logged in the walk until then."),
        ),
        migrations.AddField(
            model_name="progressionwalk",
            name="logging_set_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="progressionwalk",
            name="logging_set_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
