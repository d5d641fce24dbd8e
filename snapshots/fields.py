"""A tsvector column that degrades to an unused text column outside PostgreSQL.

The search index keeps its PostgreSQL-only data in real columns (not in a vendor-guarded
RunSQL) so the ORM can read, write and filter them; on SQLite they simply stay empty and the
search module falls back to pattern matching over the plain-text columns of the same row.
"""

from __future__ import annotations

from django.db import models


class TsVectorField(models.Field):
    """Holds a tsvector literal built in Python (see `head_vector_literal` and `body_vector_literal`
    in `snapshots.search.indexing`)."""

    description = "PostgreSQL tsvector (text elsewhere)"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"
