"""Pause tallies: the district-wide trends' running counts, kept by PostgreSQL itself.

A year of a progression's walkthroughs across a district is some 300,000 rows; counting them
on every trends page took longer than the page's whole budget. The tallies hold how many
finished coach walkthroughs of each campus's teachers paused where, per month: a few thousand
rows. Triggers (dashboard/tallies.py) keep them on every write, whatever makes it (the walk,
a correction, the roster moving a teacher, the admin deleting one), in the writer's transaction.
"""

from django.db import models

from people.models import Campus
from progressions.models import Framework


class PauseTally(models.Model):
    # Found through pause_tally_key (framework, month, ...): an index of the framework alone led
    # PostgreSQL to read every month of the progression and throw most away.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+", db_index=False)
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="Its first day, in the time zone recorded by TallyTimeZone.")
    pause_phase = models.CharField(max_length=20, blank=True)
    pause_number = models.PositiveSmallIntegerField(help_text="0: no pause (every action in place).")
    walkthroughs = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "month", "campus", "pause_phase", "pause_number"], name="pause_tally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.walkthroughs} on {self.framework_id} at {self.campus_id} in {self.month:%Y-%m}"


class TallyTimeZone(models.Model):
    """The time zone the triggers count months in (one row). If TIME_ZONE changes, the trends
    count walkthroughs themselves until `manage.py tally_pauses` counts again in the new one."""

    time_zone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.time_zone
