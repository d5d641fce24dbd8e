from django.db import migrations


def rebuild_vectors(apps, schema_editor):
    """Re-tokenise existing documents: phrase queries now ask the index for joined tokens
    (`annual_report`) that documents indexed before this release do not hold.

    This calls the live indexer rather than historical models, on purpose: the tokens must be
    exactly what the running code searches for. SQLite keeps no vectors and needs nothing.

    Now a no-op: the live indexer writes columns that 0012 adds, which do not exist yet at this
    point, and 0012 re-indexes every document again (or asks for `search_reindex`).
    """


class Migration(migrations.Migration):
    atomic = False  # commits batch by batch on a large index
    dependencies = [("snapshots", "0004_search_title_index")]

    operations = [migrations.RunPython(rebuild_vectors, migrations.RunPython.noop)]
