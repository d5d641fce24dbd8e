"""Links whose title or description was copied from an error page ("Error response", "404 Not
Found") lose it: captures of 4xx/5xx answers no longer fill them in.

A title (or description) is cleared only when a capture of an error answer carries it and no
capture without an error does, so a page that is really called so keeps its name. The links
changed get their search documents rebuilt, the title being part of them.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Exists, OuterRef, Q

HTTP_ERROR_MIN = 400  # as snapshots.models says today; a migration keeps its own copy
BATCH = 1000


def _copied_from_error_pages(Link, Snapshot, field: str):
    same = {"link_id": OuterRef("pk"), field: OuterRef(field)}
    error_pages = Snapshot.objects.filter(status="succeeded", http_status__gte=HTTP_ERROR_MIN, **same)
    good_pages = Snapshot.objects.filter(Q(http_status__isnull=True) | Q(http_status__lt=HTTP_ERROR_MIN), **same)
    return (
        Link.objects.exclude(**{field: ""})
        .filter(Exists(error_pages))
        .exclude(Exists(good_pages.filter(status="succeeded")))
        .values_list("pk", flat=True)
    )


def clear_error_page_titles(apps, schema_editor):
    """Calls the live `link_changed`, as 0012 calls the live indexer: a later migration that
    changes SearchDocument's columns must turn the re-indexing here into a no-op and rebuild
    itself."""
    Link = apps.get_model("snapshots", "Link")
    Snapshot = apps.get_model("snapshots", "Snapshot")
    changed: set[int] = set()
    for field in ("title", "description"):
        ids = list(_copied_from_error_pages(Link, Snapshot, field))
        for start in range(0, len(ids), BATCH):
            Link.objects.filter(pk__in=ids[start : start + BATCH]).update(**{field: ""})
        changed.update(ids)
    if not changed:
        return
    from snapshots.search.changes import link_changed

    owners: dict[int, list[int]] = defaultdict(list)
    for link_id, owner_id in Link.objects.filter(pk__in=changed).values_list("pk", "owner_id"):
        owners[owner_id].append(link_id)
    for owner_id, link_ids in owners.items():
        # The page text is unchanged: only the title and description parts are written again.
        link_changed(owner_id=owner_id, link_ids=link_ids, body=False, listing=False)


class Migration(migrations.Migration):
    dependencies = [("snapshots", "0013_stored_files")]

    operations = [migrations.RunPython(clear_error_page_titles, migrations.RunPython.noop)]
