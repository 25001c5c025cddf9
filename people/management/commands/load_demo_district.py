from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from observations.demo import demo_history_load

from people.demo import DEMO_PASSWORD, DEMO_ROSTER
from people.models import User
from people.roster import read_roster
from people.services import roster_import


class Command(BaseCommand):
    help = (
        "Load the demo district (2 campuses, 12 teachers, one user per role) and, once the progressions are loaded,"
        " eight months of its walkthroughs and a progression walk, for trying PL Coach. Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and write nothing.")

    @transaction.atomic
    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        if not settings.DEBUG:
            raise CommandError("The demo district is never loaded in production mode (DEBUG is off).")
        changes = roster_import(rows=read_roster(DEMO_ROSTER.encode()), dry_run=dry_run)
        logins = User.objects.filter(employee_id__startswith="demo-").order_by("username")
        for user in logins:
            if not user.check_password(DEMO_PASSWORD):  # only when needed: a second load changes nothing
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                changes["demo passwords set"] += 1
        changes.update(demo_history_load(today=timezone.localdate()))
        if dry_run:
            transaction.set_rollback(True)
        if verbosity >= 1:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(changes.items())) or "nothing changed"
            self.stdout.write(f"Demo district: {summary}.")
            self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
            for user in logins:
                self.stdout.write(f"  {user.username:<16} {', '.join(user.role_names)}: {user.get_full_name()}")
