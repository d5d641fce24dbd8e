from django.db import migrations

# PostgreSQL only. A GIN index on the title and tag lexemes alone (weights A and B of the head
# vector; C is URL, description and notes) answers the "every term in the title or tags" ranking
# class from the index: without it, a phrase of two common words made PostgreSQL read every
# document containing both words anywhere (34,000 of 100,000) to find the 44 whose title has them.
#
# Larger statistics targets make the planner's guesses about lexeme frequencies usable: with the
# default, a word that occurs nowhere is assumed to match 0.5% of documents, so the planner walks
# the newest links expecting a page of matches soon and reads all of them instead.
FORWARD = [
    "CREATE INDEX searchdoc_title_gin ON snapshots_searchdocument USING gin (ts_filter(head_vector, '{a,b}'))",
    "ALTER INDEX searchdoc_vector_gin ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX searchdoc_title_gin ALTER COLUMN 1 SET STATISTICS 1000",
    "ANALYZE snapshots_searchdocument",
]
BACKWARD = [
    "DROP INDEX IF EXISTS searchdoc_title_gin",
    "ALTER INDEX searchdoc_vector_gin ALTER COLUMN 1 SET STATISTICS -1",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # Each statement commits on its own: inside one transaction ANALYZE still used the index's
    # old statistics target.
    atomic = False
    dependencies = [("snapshots", "0003_cache_table")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
