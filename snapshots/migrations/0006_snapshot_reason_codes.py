"""Reason codes beside the English error and note of a snapshot.

Additive only: existing rows keep their English text and get an empty code, which pages show
as stored. PostgreSQL adds a column with a constant default without rewriting the table, and
the database default stays so that code from before this release can still insert rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("snapshots", "0005_search_joined_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="error_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="error_params",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="note_reasons",
            field=models.JSONField(blank=True, db_default=[], default=list),
        ),
    ]
