"""Versions of a link: what changed between two snapshots, and dropping unchanged re-captures.

The text diff works on lines with difflib and returns plain data (the template escapes it);
the image diff marks changed regions with boxes rather than showing a raw difference image,
because people compare the two screenshots side by side and want to know where to look.
"""

from __future__ import annotations

import difflib
import io
from collections import deque
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageChops, ImageDraw

from snapshots.archive.intraline import Parts, mark_pair
from snapshots.models import Snapshot
from snapshots.storage.blobs import blobs_release

DIFF_MAX_LINES = 20_000  # lines per side fed to difflib; beyond this the diff says it stopped
CONTEXT_LINES = 3
# Characters of changed lines compared inside per diff (about half a second of work). Past
# it, changed lines are shown whole, coloured but not marked inside.
INTRALINE_BUDGET = 200_000
GAP_LINES_SHOWN = 500  # unchanged lines a collapsed stretch can unfold to; the rest are counted only
CELL = 16  # pixels per grid cell when grouping changed pixels into boxes
PIXEL_THRESHOLD = 24  # grey-level difference below this is rendering noise, not a change


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "equal", "insert", "delete"
    old_no: int | None
    new_no: int | None
    text: str
    parts: Parts = ()  # a paired changed line as (text, changed) parts; empty: nothing marked inside

    @property
    def shown(self) -> Parts:
        """What the page prints: the marked parts, or the whole line unmarked (its row's colour
        already says it was added or removed)."""
        return self.parts or ((self.text, False),)


@dataclass(frozen=True)
class Gap:
    """Unchanged lines between hunks, collapsed on the page: `lines` holds the first
    GAP_LINES_SHOWN of them, `count` how many there are."""

    lines: list[DiffLine]
    count: int
    is_gap = True  # lets a template tell a gap from a hunk


@dataclass(frozen=True)
class TextDiff:
    hunks: list[list[DiffLine]]
    added: int
    removed: int
    truncated: bool
    blocks: list[list[DiffLine] | Gap] = field(default_factory=list)  # hunks with the gaps between them


def _replaced(
    old_lines: list[str], new_lines: list[str], i1: int, i2: int, j1: int, j2: int, budget: list[int]
) -> list[DiffLine]:
    """A replaced block: removed lines, then added lines, each paired line (first with first)
    marked inside where it differs, while `budget` (characters left to compare) lasts."""
    old_parts: list[Parts] = [()] * (i2 - i1)
    new_parts: list[Parts] = [()] * (j2 - j1)
    for k in range(min(i2 - i1, j2 - j1)):
        old, new = old_lines[i1 + k], new_lines[j1 + k]
        budget[0] -= len(old) + len(new)
        if budget[0] < 0:
            break
        old_parts[k], new_parts[k] = mark_pair(old, new)
    return [DiffLine("delete", i + 1, None, old_lines[i], old_parts[i - i1]) for i in range(i1, i2)] + [
        DiffLine("insert", None, j + 1, new_lines[j], new_parts[j - j1]) for j in range(j1, j2)
    ]


def _gap(old_lines: list[str], start: int, end: int, shift: int) -> Gap:
    """Old lines start..end (new numbers are old plus `shift`), unchanged."""
    shown = range(start, min(end, start + GAP_LINES_SHOWN))
    return Gap([DiffLine("equal", i + 1, i + shift + 1, old_lines[i]) for i in shown], end - start)


def text_diff(old: str, new: str) -> TextDiff:
    """Line diff grouped into hunks with a little context, like `diff -u`, as data; changed lines
    paired with their new version are marked inside (see `intraline`), and the unchanged
    stretches between hunks come as `Gap`s in `blocks`."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    truncated = len(old_lines) > DIFF_MAX_LINES or len(new_lines) > DIFF_MAX_LINES
    old_lines, new_lines = old_lines[:DIFF_MAX_LINES], new_lines[:DIFF_MAX_LINES]
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks: list[list[DiffLine]] = []
    blocks: list[list[DiffLine] | Gap] = []
    added = removed = 0
    old_at = new_at = 0  # where the previous hunk ended
    budget = [INTRALINE_BUDGET]
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        hunk: list[DiffLine] = []
        if group[0][1] > old_at:
            blocks.append(_gap(old_lines, old_at, group[0][1], new_at - old_at))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.extend(DiffLine("equal", i + 1, j1 + k + 1, old_lines[i]) for k, i in enumerate(range(i1, i2)))
            elif tag == "replace":
                hunk.extend(_replaced(old_lines, new_lines, i1, i2, j1, j2, budget))
            elif tag == "delete":
                hunk.extend(DiffLine("delete", i + 1, None, old_lines[i]) for i in range(i1, i2))
            else:
                hunk.extend(DiffLine("insert", None, j + 1, new_lines[j]) for j in range(j1, j2))
            if tag != "equal":
                removed, added = removed + i2 - i1, added + j2 - j1
        old_at, new_at = group[-1][2], group[-1][4]
        hunks.append(hunk)
        blocks.append(hunk)
    if hunks and old_at < len(old_lines):
        blocks.append(_gap(old_lines, old_at, len(old_lines), new_at - old_at))
    return TextDiff(hunks=hunks, added=added, removed=removed, truncated=truncated, blocks=blocks)


def _load(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image.convert("RGB")


def changed_boxes(old: Image.Image, new: Image.Image) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (left, top, right, bottom) of regions that differ between two images.

    Pixels are compared on a common canvas (a longer page shows its extra part as changed),
    thresholded, pooled into CELL-sized cells, and touching cells merged into one box.
    """
    width, height = max(old.width, new.width), max(old.height, new.height)
    canvas_old = Image.new("L", (width, height), 255)
    canvas_new = Image.new("L", (width, height), 255)
    canvas_old.paste(old.convert("L"))
    canvas_new.paste(new.convert("L"))
    mask = ImageChops.difference(canvas_old, canvas_new).point(lambda p: 255 if p > PIXEL_THRESHOLD else 0)
    cols, rows = -(-width // CELL), -(-height // CELL)
    grid = mask.resize((cols, rows), Image.Resampling.BOX).load()
    changed = {(x, y) for y in range(rows) for x in range(cols) if grid[x, y] > 0}
    boxes: list[tuple[int, int, int, int]] = []
    while changed:
        start = changed.pop()
        queue, x0, y0, x1, y1 = deque([start]), start[0], start[1], start[0], start[1]
        while queue:
            x, y = queue.popleft()
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
            for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if (nx, ny) in changed:
                    changed.remove((nx, ny))
                    queue.append((nx, ny))
        boxes.append((x0 * CELL, y0 * CELL, min((x1 + 1) * CELL, width), min((y1 + 1) * CELL, height)))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


BOXES_TTL = 7 * 24 * 3600


def marked_screenshot(*, old: Snapshot, new: Snapshot, side: str) -> bytes:
    """One side's screenshot (WebP) with the regions that changed between the two outlined.

    The page asks for both sides at once; the boxes are cached for the pair (screenshots never
    change), so the second request decodes only its own screenshot, not both again.
    """
    key = f"diffboxes:{old.pk}:{new.pk}"
    boxes = cache.get(key)
    if boxes is None:
        old_image, new_image = _load(old.artifacts["screenshot"]), _load(new.artifacts["screenshot"])
        boxes = changed_boxes(old_image, new_image)
        cache.set(key, boxes, BOXES_TTL)
        image = old_image if side == "old" else new_image
    else:
        image = _load((old if side == "old" else new).artifacts["screenshot"])
    colour = (220, 40, 40) if side == "old" else (30, 150, 60)
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), outline=colour, width=3)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return out.getvalue()


def snapshot_collapse_unchanged(*, snapshot: Snapshot) -> Snapshot:
    """After a scheduled re-capture: if nothing changed, keep the previous version only.

    The previous version gets `last_checked` so the page still says when it was confirmed;
    the redundant new row goes and gives up its files' references (shared, they stay). Captures a
    person asked for never come here: they always make a version.
    """
    previous = (
        Snapshot.objects.select_for_update()
        .filter(link_id=snapshot.link_id, status=Snapshot.Status.SUCCEEDED)
        .exclude(pk=snapshot.pk)
        .order_by("-created", "-id")
        .first()
    )
    if previous is None or not snapshot.content_hash or previous.content_hash != snapshot.content_hash:
        return snapshot
    with transaction.atomic():
        previous.last_checked = snapshot.finished or timezone.now()
        previous.save(update_fields=["last_checked"])
        names = [n for n in (snapshot.artifacts or {}).values() if n]
        snapshot.delete()
        blobs_release(names)
    return previous
