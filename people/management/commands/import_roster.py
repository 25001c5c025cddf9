from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.roster import RosterError, read_roster
from people.services import roster_import


def describe(changes) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(changes.items())) or "nothing changed"


class Command(BaseCommand):
    help = (
        "Import campuses, teachers and staff roles from a roster CSV (columns in README.md). "
        "Every row is checked first; nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the roster CSV (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show what would change.")

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read: {exc.strerror or exc}") from None
        try:
            rows = read_roster(data)
            changes = roster_import(rows=rows, dry_run=dry_run)
        except RosterError as exc:
            raise CommandError(
                f"{file}: {len(exc.problems)} problem(s); nothing was written.\n" + "\n".join(exc.problems)
            ) from None
        if verbosity >= 1:
            prefix = "Dry run, nothing written: would have " if dry_run else ""
            self.stdout.write(f"{prefix}{describe(changes)} ({len(rows)} rows).")
