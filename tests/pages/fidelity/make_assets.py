"""Make the fonts and pictures of the fidelity corpus (tests/pages/fidelity/assets/).

  .venv/bin/python tests/pages/fidelity/make_assets.py

The generated files are committed; run this again only to change them. Fonts come from the
fonts Debian installs on this machine, all under free licences:
- DejaVu Serif Bold and DejaVu Sans Mono (Bitstream Vera licence / public domain changes),
  subset to Latin-1;
- Noto Serif CJK SC Bold and Regular (SIL Open Font License 1.1), subset to the Chinese
  characters the web-font pages use, so the files stay small;
- an icon font built here with fontTools' FontBuilder, glyphs at private-use code points
  from U+E600 as iconfont.cn numbers them.
Pictures are drawn with Pillow: flat colours, shapes and a label, so a wrong or missing
picture shows plainly in a screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection, TTFont
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
SYSTEM = Path("/usr/share/fonts")
LATIN = "".join(chr(c) for c in range(0x20, 0xFF))
# Pages whose Chinese text is set in the CJK web font: the subset holds exactly their characters.
CJK_PAGES = ("fonts-webfont", "news-sticky", "fonts-unicode-range")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def subset(font: TTFont, text: str, flavor: str | None, target: Path) -> None:
    options = Options()
    options.flavor = flavor
    options.layout_features = ["*"]
    subsetter = Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = flavor
    font.save(target)


def cjk_text() -> str:
    found: set[str] = set()
    for name in CJK_PAGES:
        for page in (HERE / name).glob("*.html"):
            found |= set(CJK.findall(page.read_text(encoding="utf-8")))
    return "".join(sorted(found))


# Icons as polygons on a 1000-unit square: (code point, name, list of polygons).
ICONS = [
    (0xE600, "home", [[(100, 450), (500, 850), (900, 450), (780, 450), (780, 100), (580, 100), (580, 330),
                       (420, 330), (420, 100), (220, 100), (220, 450)]]),
    (0xE601, "search", [[(120, 600), (300, 820), (560, 820), (740, 600), (560, 380), (300, 380)],
                        [(600, 400), (680, 330), (900, 110), (820, 40), (600, 260), (540, 340)]]),
    (0xE602, "cart", [[(80, 800), (220, 800), (300, 350), (820, 350), (900, 700), (260, 700)],
                      [(300, 250), (400, 250), (400, 150), (300, 150)],
                      [(700, 250), (800, 250), (800, 150), (700, 150)]]),
    (0xE603, "user", [[(380, 800), (620, 800), (680, 620), (620, 460), (380, 460), (320, 620)],
                      [(150, 100), (850, 100), (800, 330), (650, 420), (350, 420), (200, 330)]]),
    (0xE604, "bell", [[(500, 880), (700, 720), (760, 350), (880, 220), (120, 220), (240, 350), (300, 720)],
                      [(420, 180), (580, 180), (500, 80)]]),
    (0xE605, "heart", [[(500, 120), (880, 520), (880, 700), (720, 840), (500, 700), (280, 840), (120, 700),
                        (120, 520)]]),
    (0xE606, "star", [[(500, 900), (610, 600), (930, 600), (670, 410), (770, 100), (500, 290), (230, 100),
                       (330, 410), (70, 600), (390, 600)]]),
    (0xE607, "gear", [[(430, 900), (570, 900), (600, 760), (760, 840), (850, 740), (760, 600), (900, 570),
                       (900, 430), (760, 400), (850, 260), (740, 160), (600, 240), (570, 100), (430, 100),
                       (400, 240), (260, 160), (150, 260), (240, 400), (100, 430), (100, 570), (240, 600),
                       (150, 740), (260, 840), (400, 760)]]),
]


def icon_font(target_ttf: Path, target_woff2: Path) -> None:
    names = [".notdef", *(name for _code, name, _polys in ICONS)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: name for code, name, _polys in ICONS})
    glyphs = {".notdef": TTGlyphPen(None).glyph()}
    for _code, name, polygons in ICONS:
        pen = TTGlyphPen(None)
        for polygon in polygons:
            pen.moveTo(polygon[0])
            for point in polygon[1:]:
                pen.lineTo(point)
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 0) for name in names})
    builder.setupHorizontalHeader(ascent=900, descent=-100)
    builder.setupNameTable({"familyName": "fidelity-iconfont", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=900, sTypoDescender=-100, usWinAscent=900, usWinDescent=100)
    builder.setupPost()
    builder.save(target_ttf)
    font = TTFont(target_ttf)
    font.flavor = "woff2"
    font.save(target_woff2)


def fonts() -> None:
    folder = ASSETS / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    subset(TTFont(SYSTEM / "truetype/dejavu/DejaVuSerif-Bold.ttf"), LATIN, "woff2", folder / "display-latin.woff2")
    subset(TTFont(SYSTEM / "truetype/dejavu/DejaVuSansMono.ttf"), LATIN, None, folder / "code-latin.ttf")
    subset(TTFont(SYSTEM / "truetype/dejavu/DejaVuSerifCondensed.ttf"), LATIN, "woff", folder / "body-latin.woff")
    serif_sc = TTCollection(SYSTEM / "opentype/noto/NotoSerifCJK-Bold.ttc").fonts[2]
    subset(serif_sc, cjk_text() + "0123456789", "woff2", folder / "display-cjk.woff2")
    serif_sc_regular = TTCollection(SYSTEM / "opentype/noto/NotoSerifCJK-Regular.ttc").fonts[2]
    subset(serif_sc_regular, cjk_text(), "woff", folder / "body-cjk.woff")
    icon_font(folder / "iconfont.ttf", folder / "iconfont.woff2")


def picture(path: Path, size: tuple[int, int], colours: tuple[str, str], label: str) -> None:
    image = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(image)
    w, h = size
    for i in range(0, w + h, max(8, w // 12)):
        draw.line([(i, 0), (i - h, h)], fill=colours[1], width=max(2, w // 60))
    draw.ellipse([w * 0.3, h * 0.2, w * 0.7, h * 0.8], fill="#ffffff", outline="#222222", width=3)
    font = ImageFont.truetype(str(SYSTEM / "truetype/dejavu/DejaVuSans-Bold.ttf"), max(12, h // 8))
    draw.text((w / 2, h / 2), label, fill="#222222", font=font, anchor="mm")
    if path.suffix == ".png":
        image.save(path, optimize=True)
    elif path.suffix == ".webp":
        image.save(path, quality=60)
    else:
        image.save(path, quality=60, optimize=True)


PALETTE = [("#e8734a", "#f3a37f"), ("#3a7bd5", "#6fa0e6"), ("#2e9e6b", "#6cc49c"), ("#8e5bd0", "#b493e3"),
           ("#d4a017", "#e8c65a"), ("#c0392b", "#e0766a"), ("#16a085", "#5cc7b2"), ("#34495e", "#6b7f93")]


def pictures() -> None:
    folder = ASSETS / "img"
    folder.mkdir(parents=True, exist_ok=True)
    picture(folder / "hero.jpg", (1200, 380), PALETTE[1], "HERO")
    picture(folder / "poster.jpg", (960, 540), PALETTE[7], "POSTER")
    picture(folder / "banner-a.jpg", (1200, 300), PALETTE[0], "BANNER A")
    picture(folder / "banner-b.jpg", (600, 300), PALETTE[3], "B")
    picture(folder / "map.png", (560, 320), PALETTE[2], "MAP")
    for n in range(1, 9):
        picture(folder / f"product-{n}.jpg", (320, 320), PALETTE[n - 1], f"P{n}")
    for width in (480, 960, 1440):
        picture(folder / f"photo-{width}.jpg", (width, width * 9 // 16), PALETTE[width // 480], f"{width}w")
    picture(folder / "art-narrow.webp", (600, 600), PALETTE[4], "NARROW")
    picture(folder / "art-wide.webp", (1200, 500), PALETTE[5], "WIDE")
    for n in range(1, 7):
        picture(folder / f"lazy-{n}.jpg", (560, 315), PALETTE[(n + 2) % 8], f"LAZY {n}")
    picture(folder / "placeholder.png", (8, 8), ("#dddddd", "#dddddd"), "")


if __name__ == "__main__":
    fonts()
    pictures()
    for path in sorted(ASSETS.rglob("*")):
        if path.is_file() and path.parent.name in ("fonts", "img"):
            print(f"{path.relative_to(HERE)}: {path.stat().st_size:,} bytes")
