"""Move every stored file from the disk to the bucket or back: see storage/moving.py."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from snapshots.storage.moving import TO_BUCKET, TO_DISK, MoveCounts, artifacts_move


class Command(BaseCommand):
    help = (
        "Move the artifact files from MEDIA_ROOT to the bucket named by AWS_STORAGE_BUCKET_NAME (to-bucket) "
        "or back (to-disk). Resumable: run it again after a stop. Stop the workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("direction", choices=[TO_BUCKET, TO_DISK])

    def handle(self, *args, direction: str, **options) -> None:
        def progress(counts: MoveCounts) -> None:
            self.stdout.write(f"… {counts.moved} moved, {counts.present} already there")

        try:
            counts = artifacts_move(direction, progress=progress)
        except (ImproperlyConfigured, OSError) as exc:
            raise CommandError(f"{exc} (what was moved stays moved; run again to go on)") from exc
        self.stdout.write(
            f"moved {counts.moved} files ({filesizeformat(counts.bytes)}) {direction}; "
            f"{counts.present} were there already; {counts.missing} missing on both sides"
        )
