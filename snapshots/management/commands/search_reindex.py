"""Rebuild search documents: after deploying the search index on existing data, or a tokeniser change."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import User
from snapshots.dbstats import statistics_refresh
from snapshots.models import SearchDocument
from snapshots.search.indexing import search_document_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the search index of every link (or of one user's links)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="only this user's links")

    def handle(self, *args, username: str | None = None, **options) -> None:
        owner_id = User.objects.get(username=username).pk if username else None
        count = search_document_rebuild_all(owner_id=owner_id)
        self.stdout.write(f"indexed {count} links")
        if statistics_refresh(models=[SearchDocument], rows=count):
            self.stdout.write("analysed the search documents")
