"""Counts the pause tallies again from the walkthroughs (PostgreSQL): after TIME_ZONE changes,
a restore from a dump made without triggers, or to check that the kept counts still agree."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dashboard import tallies
from dashboard.models import PauseTally


class Command(BaseCommand):
    help = (
        "Count the dashboard's pause tallies again from the walkthroughs, in the TIME_ZONE setting, and rewrite "
        "the triggers that keep them. PostgreSQL only (SQLite's trends count walkthroughs as they go)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count and report how many tallies differ, then change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Pause tallies are kept on PostgreSQL only; on SQLite the trends count walkthroughs.")
        with transaction.atomic():
            tallies.lock_for_recount()  # taps wait the few seconds this takes, and none is missed
            kept = counts()
            written = tallies.recount()
            counted = counts()
            differ = sum(kept.get(key) != counted.get(key) for key in kept.keys() | counted.keys())
            if dry_run:
                transaction.set_rollback(True)
        verb = "would differ" if dry_run else "differed"
        self.stdout.write(f"{written:,} tallies counted; {differ:,} {verb} from the kept ones{' (dry run: nothing changed)' if dry_run else ''}.")


def counts() -> dict[tuple, int]:
    rows = PauseTally.objects.filter(walkthroughs__gt=0).values_list("framework_id", "campus_id", "month", "pause_phase", "pause_number", "walkthroughs")
    return {tuple(key): count for *key, count in rows}
