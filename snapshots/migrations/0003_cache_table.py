"""Create the database cache table with the schema, so `migrate` alone prepares a deployment.

Sessions, throttling and the tag bar rely on the database cache (Redis may be down); without
this, a deployment that forgot `createcachetable` would fail on the first list page.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("snapshots", "0002_search")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
