"""Make reader copies for snapshots captured before there were any, from their stored pages."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import User
from snapshots import queues
from snapshots.archive.readercopies import snapshots_without_reader


class Command(BaseCommand):
    help = (
        "Queue a reader copy for every succeeded snapshot that has none, made by the capture workers "
        "from the stored page (nothing is fetched again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="only this user's snapshots")
        parser.add_argument("--limit", type=int, default=0, help="queue at most this many (0: all)")

    def handle(self, *args, username: str | None = None, limit: int = 0, **options) -> None:
        owner_id = User.objects.get(username=username).pk if username else None
        ids = snapshots_without_reader(owner_id)
        if limit > 0:
            ids = ids[:limit]
        sent = sum(queues.send(queues.READER_BACKFILL_TASK, pk) for pk in ids)
        self.stdout.write(f"queued {sent} of {len(ids)} snapshots for a reader copy")
