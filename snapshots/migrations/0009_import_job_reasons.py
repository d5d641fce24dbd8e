"""Reason codes beside the English error of an import job, and when a worker first took it up.

Additive only: existing jobs keep their English error with an empty code, which pages show as
stored; the database defaults let code from before this release keep inserting rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("snapshots", "0008_fair_shares"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.AddField(
            model_name="importjob",
            name="error_params",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
        migrations.AddField(
            model_name="importjob",
            name="started",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
