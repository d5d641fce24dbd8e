"""How alike two full-page screenshots look: mean SSIM over 7x7 windows of the grayscale images.

The metric (structural similarity, Wang et al. 2004, with the usual constants K1 = 0.01 and
K2 = 0.03 on 8-bit values, uniform 7x7 windows, every window position) is computed on the two
screenshots laid over each other from their top-left corner:

- both are turned to 8-bit grayscale (ITU-R 601 luma, as Pillow's "L" mode);
- both are made the same size by padding on the right and at the bottom with white, so a copy
  that lost height (or grew) is compared with blank paper there: lost content costs, it is never
  cropped away; both are first cut at MAX_HEIGHT px;
- the score is the mean of the SSIM map, 1.0 for identical pictures. Flat areas that are flat
  in both score about 1 whatever their shade, so a blank page still earns the page's empty
  margins: the controls of bench_fidelity show where that leaves it.

Text that falls back to another font, reflows or moves shifts every edge it holds, which is
what SSIM's structure term punishes; a uniform shift of colour costs little.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

MAX_HEIGHT = 12_000
WINDOW = 7
C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2


def gray(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("L"), dtype=np.float64)[:MAX_HEIGHT]


def _padded(image: np.ndarray, height: int, width: int) -> np.ndarray:
    out = np.full((height, width), 255.0)
    out[: image.shape[0], : image.shape[1]] = image
    return out


def _window_means(values: np.ndarray) -> np.ndarray:
    """Mean of every WINDOW x WINDOW window (valid positions only), from a summed-area table."""
    table = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
    table[1:, 1:] = values.cumsum(0).cumsum(1)
    w = WINDOW
    total = table[w:, w:] - table[:-w, w:] - table[w:, :-w] + table[:-w, :-w]
    return total / (w * w)


def ssim(reference: bytes, candidate: bytes) -> float:
    """Mean SSIM of `candidate` against `reference` (PNG bytes), 0..1 (negative only in theory)."""
    a, b = gray(reference), gray(candidate)
    height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    x, y = _padded(a, height, width), _padded(b, height, width)
    mx, my = _window_means(x), _window_means(y)
    vx = _window_means(x * x) - mx * mx
    vy = _window_means(y * y) - my * my
    cov = _window_means(x * y) - mx * my
    score = ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2))
    return float(score.mean())
