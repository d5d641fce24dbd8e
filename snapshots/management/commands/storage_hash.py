"""Move artifacts stored before content hashing to the shared, counted layout: see storage/relayout.py."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from snapshots.storage.relayout import RelayoutCounts, artifacts_relayout


class Command(BaseCommand):
    help = (
        "Store every artifact under its content hash, shared between snapshots with reference counts, "
        "and delete stored files nothing refers to. Resumable: run it again after a stop."
    )

    def handle(self, *args, **options) -> None:
        def progress(counts: RelayoutCounts) -> None:
            self.stdout.write(f"… {counts.snapshots} snapshots, {counts.files} files moved")

        counts = artifacts_relayout(progress=progress)
        self.stdout.write(
            f"moved {counts.files} files of {counts.snapshots} snapshots to the hashed layout; "
            f"{counts.missing} missing; {counts.collected} unreferenced files deleted"
        )
