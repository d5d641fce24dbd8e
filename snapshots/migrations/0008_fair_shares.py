from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def owners_onto_snapshots(apps, schema_editor):
    """Each snapshot carries its link's owner, for the dispatcher's small indexes."""
    Snapshot = apps.get_model("snapshots", "Snapshot")
    Link = apps.get_model("snapshots", "Link")
    Snapshot.objects.update(owner_id=Subquery(Link.objects.filter(pk=OuterRef("link_id")).values("owner_id")[:1]))


def hold_unpublished(apps, schema_editor):
    """Rows queued but never handed to the broker (held back by the hourly rate, or saved
    while Redis was down) become waiting: the dispatcher now hands them out in turn."""
    Snapshot = apps.get_model("snapshots", "Snapshot")
    Snapshot.objects.filter(status="queued", enqueued__isnull=True).update(status="waiting")


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('snapshots', '0007_reason_codes_for_earlier_captures'),
    ]

    operations = [
        migrations.AlterField(
            model_name='snapshot',
            name='status',
            field=models.CharField(choices=[('waiting', 'waiting'), ('queued', 'queued'), ('running', 'running'), ('succeeded', 'succeeded'), ('failed', 'failed')], default='queued', max_length=10),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='owner',
            field=models.ForeignKey(null=True, on_delete=models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(owners_onto_snapshots, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='snapshot',
            name='owner',
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(hold_unpublished, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='snapshot',
            index=models.Index(condition=models.Q(('status', 'waiting')), fields=['owner', 'created'], name='snapshot_waiting'),
        ),
        migrations.AddIndex(
            model_name='snapshot',
            index=models.Index(condition=models.Q(('status', 'waiting'), models.Q(('trigger__in', ['import', 'schedule']), _negated=True)), fields=['owner', 'created'], name='snapshot_waiting_asked'),
        ),
        migrations.AddIndex(
            model_name='snapshot',
            index=models.Index(condition=models.Q(('status__in', ['queued', 'running'])), fields=['owner'], name='snapshot_in_flight'),
        ),
        migrations.AddIndex(
            model_name='snapshot',
            index=models.Index(condition=models.Q(('enqueued__isnull', False)), fields=['owner', 'enqueued'], name='snapshot_enqueued'),
        ),
    ]
