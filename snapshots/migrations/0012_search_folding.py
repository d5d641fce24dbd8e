"""Traditional/Simplified folding in search: the text as written beside the folded text, and
existing documents re-indexed folded, on sites small enough to do it during the upgrade.

Until a document is re-indexed it holds its text unfolded while queries are folded: a search
in the script the page is written in stops finding a Traditional page. A small site is
re-indexed here (REBUILD_IN_MIGRATION_MAX documents take about a minute; 100,000 seeded ones
took six and a half on a busy two-core machine); a larger one would hold the upgrade for many
minutes, so it is left to `manage.py search_reindex`, which the upgrade notes in the README ask
for and which may run while the site serves.
"""

from django.db import migrations, models

REBUILD_IN_MIGRATION_MAX = 10_000


def rebuild_small_index(apps, schema_editor):
    """Calls the live indexer, as 0005 did: the folded text and tokens must be exactly what the
    running code searches for. A later migration that changes SearchDocument's columns must
    turn this into a no-op (as 0005 now is) and rebuild itself."""
    SearchDocument = apps.get_model("snapshots", "SearchDocument")
    count = SearchDocument.objects.count()
    if not count:
        return
    if count > REBUILD_IN_MIGRATION_MAX:
        print(  # noqa: T201 - shown in the upgrade's output, where the operator looks
            f"\n  {count} search documents: run `manage.py search_reindex` so that Traditional and "
            "Simplified Chinese find each other; until then a search may miss a page indexed before."
        )
        return
    from snapshots.search.indexing import search_document_rebuild_all

    search_document_rebuild_all()


class Migration(migrations.Migration):
    atomic = False  # the rebuild commits batch by batch
    dependencies = [("snapshots", "0011_snapshot_reader_text")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="meta_original",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="body_original",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(rebuild_small_index, migrations.RunPython.noop),
    ]
