"""Write a backup of the whole site (rows and artifact files) to one file: see transfer/backup.py."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from snapshots.transfer.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database rows and artifact files to FILE (a zip file, mode 0600)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        try:
            summary = backup_write(file, overwrite=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {what}" for what, n in summary.counts.items())
        self.stdout.write(f"backed up {counts}; {summary.files} files ({filesizeformat(summary.bytes)}) to {file}")
        for name in summary.missing:
            self.stderr.write(f"missing (deleted while the backup ran, or lost before): {name}")
