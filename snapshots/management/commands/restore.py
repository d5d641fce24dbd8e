"""Restore a backup written by `backup` into an empty, migrated site: see transfer/backup.py."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from snapshots.transfer.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore FILE (written by `backup`, from SQLite or PostgreSQL) into this empty site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            summary = backup_restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {what}" for what, n in summary.counts.items())
        self.stdout.write(f"restored {counts}; {summary.files} files ({filesizeformat(summary.bytes)})")
        if summary.missing:
            self.stderr.write(f"{len(summary.missing)} files were missing when the backup was written")
