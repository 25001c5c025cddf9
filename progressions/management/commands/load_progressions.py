from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from progressions.services import content_load, content_parse
from progressions.yaml_source import ContentError


class Command(BaseCommand):
    help = (
        "Load PL Toolbox content (progressions and the Driver Model) from YAML files. "
        "Every file is validated before anything is written; all writes happen in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="YAML files or folders (default: every .yaml file in fixtures/)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and write nothing.")

    def handle(self, *args, paths: list[Path], dry_run: bool, verbosity: int, **options):
        files = self._files(paths or [settings.CONTENT_FIXTURES_DIR])
        if verbosity >= 2:
            for path in files:
                self.stdout.write(f"Reading {path}")
        try:
            parsed = content_parse(paths=files, base=settings.BASE_DIR)
        except ContentError as exc:
            raise CommandError(
                f"{len(exc.problems)} problem(s) found; nothing was written.\n" + "\n".join(map(str, exc.problems))
            ) from None
        results = content_load(parsed=parsed, dry_run=dry_run)
        changed = [r for r in results if r.changed]
        if verbosity >= 1:
            for result in results:
                if result.changed or verbosity >= 2:
                    prefix = "would load " if dry_run and result.changed else ""
                    self.stdout.write(prefix + result.describe())
            if dry_run:
                self.stdout.write(f"Dry run: {len(changed)} of {len(results)} framework(s) would change; nothing was written.")
            elif changed:
                self.stdout.write(self.style.SUCCESS(f"Loaded {len(changed)} of {len(results)} framework(s); the rest were unchanged."))
            else:
                self.stdout.write(f"Nothing changed: all {len(results)} framework(s) are up to date.")

    def _files(self, paths: list[Path]) -> list[Path]:
        files = []
        for path in paths:
            if path.is_dir():
                found = sorted(path.glob("*.yaml"))
                if not found:
                    raise CommandError(f"{path}: no .yaml files in this folder; nothing was written.")
                files.extend(found)
            elif path.exists() or path.suffix in (".yaml", ".yml"):
                files.append(path)  # an unreadable file is reported by the reader, with its name
            else:
                raise CommandError(f"{path}: no such file or folder; nothing was written.")
        return files
