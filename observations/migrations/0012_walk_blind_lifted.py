"""Closing a walk's logging now lifts the blind rule; a walk reopened since keeps when it first
closed (`blind_lifted_at`). Walks reopened before this have none: nothing recorded it."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0011_walk_observer_since'),
    ]

    operations = [
        migrations.AddField(
            model_name='progressionwalk',
            name='blind_lifted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
