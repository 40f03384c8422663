"""Draw the app's home-screen icons (static/icons/icon-192.png and icon-512.png) with Pillow.

The design is the brand mark of the site header: a blue and yellow square (Ukraine's colours) with a
white map pin, inside the central 80 % so that phones may crop the icon to any shape ("maskable").
Run it again after changing the design: `.venv/bin/python scripts/make_icons.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 83, 148)
YELLOW = (255, 213, 0)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "static" / "icons"


def icon(size: int) -> Image.Image:
    """The icon at `size` pixels: drawn 4× larger and scaled down for smooth edges."""
    scale = 4
    s = size * scale
    image = Image.new("RGB", (s, s), BLUE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, s // 2, s, s), fill=YELLOW)
    # The pin: a circle with a point below, centred in the safe zone.
    cx, cy, r = s // 2, int(s * 0.42), int(s * 0.17)
    half = int(r * 0.87)
    draw.polygon([(cx - half, cy + r // 2), (cx + half, cy + r // 2), (cx, int(s * 0.74))], fill=WHITE)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    inner = int(r * 0.45)
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=BLUE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")


if __name__ == "__main__":
    main()
