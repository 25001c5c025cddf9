"""Counts the pause tallies again from the walkthroughs (PostgreSQL): after TIME_ZONE changes,
a restore from a dump made without triggers, or to check that the kept counts still agree."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dashboard import tallies


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
        # Read without a lock, taps going on: they change the tallies with their own writes, so
        # whatever differs now is drift (a restore, a new time zone), which the recount mends.
        counted, differ = tallies.drift()
        if not dry_run:
            counted = tallies.recount()  # taps wait the few seconds this takes, and none is missed
        verb = "would differ" if dry_run else "differed"
        self.stdout.write(f"{counted:,} tallies counted; {differ:,} {verb} from the kept ones{' (dry run: nothing changed)' if dry_run else ''}.")
