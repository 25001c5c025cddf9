"""Observers on a walk get the time they joined it (observations.WalkObserver), in the table
Django made for the plain many-to-many: only the new column is written. Observers already on a
walk are taken to have joined when it was planned, as nothing recorded otherwise."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def joined_when_planned(apps, schema_editor):
    WalkObserver = apps.get_model("observations", "WalkObserver")
    ProgressionWalk = apps.get_model("observations", "ProgressionWalk")
    planned = ProgressionWalk.objects.filter(pk=OuterRef("progressionwalk_id")).values("created_at")[:1]
    WalkObserver.objects.update(added_at=Subquery(planned))


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("observations", "0010_walk_logging_window"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WalkObserver",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("progressionwalk", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="observations.progressionwalk")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "observations_progressionwalk_observers", "unique_together": {("progressionwalk", "user")}},
                ),
                migrations.AlterField(
                    model_name="progressionwalk",
                    name="observers",
                    field=models.ManyToManyField(related_name="progression_walks", through="observations.WalkObserver", to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="walkobserver",
            name="added_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(joined_when_planned, migrations.RunPython.noop),
    ]
