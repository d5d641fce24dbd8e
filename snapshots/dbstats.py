"""Planner statistics after bulk writes: the tables a large write changed are analysed at once.

PostgreSQL plans a search or a tag filter from the statistics ANALYZE gathers. Until
autovacuum comes round (late, or never where it is turned off), a table that has just taken
an import of 20,000 links is planned as if it were still empty or a tenth of its size, and
searches right after the import ran 5-60x slower. So a bulk write does what autovacuum would
do, right away: a table is analysed when the rows written reach autovacuum's default trigger,
50 rows plus 10% of the table as it was last analysed. That keeps the cost in proportion: an
ANALYZE reads a bounded sample of rows, and it runs only after a write that cost far more.
SQLite gets the same rule (weighed against the table's size, see `_known_rows`), with each
ANALYZE bounded by `analysis_limit` so it holds the database's write lock for milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.db.models import Model

ANALYZE_BASE_ROWS = 50  # autovacuum_analyze_threshold's default
ANALYZE_SCALE = 0.1  # autovacuum_analyze_scale_factor's default
SQLITE_ANALYSIS_LIMIT = 1000  # rows of each index SQLite samples


def _known_rows(tables: list[str]) -> dict[str, float]:
    """Each table's size to weigh a write against, in one query.

    PostgreSQL: the rows its statistics last saw (0 for a table never analysed). SQLite keeps
    that only in `sqlite_stat1`, which exists once something has been analysed, so there the
    write is weighed against the table's largest row id (its size, give or take deletions).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE oid = ANY(%s::regclass[])", [tables])
            return {name: max(rows, 0) for name, rows in cursor.fetchall()}
        quote = connection.ops.quote_name
        cursor.execute("SELECT " + ", ".join(f"(SELECT MAX(rowid) FROM {quote(table)})" for table in tables))
        return {table: rows or 0 for table, rows in zip(tables, cursor.fetchone(), strict=True)}


def statistics_refresh(
    *, models: Iterable[type[Model]], rows: int, fields: Mapping[type[Model], Sequence[str]] | None = None
) -> bool:
    """Analyse the tables of `models` if `rows` written rows make any of them due; True if done.

    The tables are analysed together: one write changed them together (links, their taggings,
    their search documents). `fields` limits a model's table to those columns on PostgreSQL
    (which then also leaves its expression indexes' statistics alone). Call it after the
    write has committed: ANALYZE sees only committed rows of other transactions, and the
    write's locks should be gone by then.
    """
    if rows < ANALYZE_BASE_ROWS:
        return False
    models = list(models)
    tables = [model._meta.db_table for model in models]
    known = _known_rows(tables)
    if all(rows < ANALYZE_BASE_ROWS + ANALYZE_SCALE * known.get(table, 0) for table in tables):
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            targets = []
            for model in models:
                columns = [quote(model._meta.get_field(name).column) for name in (fields or {}).get(model, ())]
                targets.append(quote(model._meta.db_table) + (f" ({', '.join(columns)})" if columns else ""))
            cursor.execute("ANALYZE " + ", ".join(targets))
        else:
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
    return True
