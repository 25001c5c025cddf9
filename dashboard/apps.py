import statistics

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class Median:
    """SQLite has no median aggregate; PostgreSQL's percentile_cont stands in everywhere else."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def add_median(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("PLCOACH_MEDIAN", 1, Median)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Debrief dashboard"

    def ready(self) -> None:
        connection_created.connect(add_median)
