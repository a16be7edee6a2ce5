"""NHS England's Making Data Count variation and assurance icons, drawn here as small SVGs.

Each icon follows MDC's published design (the icon set of NHS England's "Making data count"
guidance, as NHSRplotthedots reproduces it in ``inst/icons/``): a white disc in a thick ring of
the icon's colour; for variation, a run of five dots joined by a line, the last two in the ring's
colour and raised (high) or lowered (low) after the letter H or L, or all grey and no letter for
common cause; for assurance, the letter P, F or ? above a dashed target line, with a grey line of
the process above it (passing), below it (failing) or across it (hit and miss).

The drawing is ours (stroked paths on a 40-unit grid; the letters are drawn as strokes, not
text, so they look the same in every renderer and need no font). Nothing is fetched: the SVG is
written here and embedded as text or as a ``data:`` URL.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

from candour.analytics.spc.constants import ASSURANCE_WORDS, VARIATION_WORDS

# MDC icon colours, from the icon set (NHSRplotthedots inst/icons/*.svg).
ICON_BLUE = "#0072C6"  # improvement; assurance: passing
ICON_ORANGE = "#FF6600"  # concern; assurance: failing
ICON_PURPLE = "#8000C0"  # neutral (no better direction)
ICON_RING_GREY = "#BFBFBF"  # common cause; assurance: hit and miss
ICON_GREY = "#7F7F7F"  # the process's dots and lines

GRID = 40  # the icon's own coordinates: a 40 x 40 square, centre (20, 20)
CENTRE = GRID / 2
RING_RADIUS = 17
RING_WIDTH = 3
LETTER_WIDTH = 2.4
DOT_RADIUS = 2.2
DOT_X = (10, 15, 20, 25, 30)
# Heights of the five dots (y grows downwards): the last two away from the first three.
DOTS_COMMON = (21, 25, 16.5, 23.5, 22)
DOTS_HIGH = (24, 26, 24, 17, 19)
DOTS_LOW = (14, 16, 14, 21, 23)
LOW_LETTER_DROP = 14  # L sits below the dots, at the bottom left
SPECIAL_DOTS = 2  # the last two dots take the icon's colour

# Letters as strokes: H at the top left, L at the bottom left (variation), P, F and ? at the top
# (assurance).
LETTERS = {
    "H": "M11 8.5V17.5M18 8.5V17.5M11 13H18",
    "L": "M11.5 8.5V17.5H17.5",
    "P": "M17.5 16.5V7.5H20.5A2.5 2.5 0 0 1 20.5 12.5H17.5",
    "F": "M22.5 7.5H17.5V16.5M17.5 12H21.5",
    "?": "M17.2 10A2.9 2.7 0 1 1 21.2 12.4C20.2 12.9 20 13.5 20 14.6",
}
QUESTION_DOT = (20, 17, 1.3)  # the dot of "?": x, y, radius

# Assurance: the dashed target line (height) and the grey process line, per result.
TARGET_DASH = "3.5 1.5"
TARGET_LINE_WIDTH = 1.8
PROCESS_LINE_WIDTH = 1.8
ASSURANCE_LINES = {  # result: (target line's height, the process line's path)
    "pass": (28, "M7 21C10 18 12 18 15 20S19 23 22 20 27 18 33 20"),
    "fail": (20, "M7 26C10 23 12 23 15 25S19 28 22 25 27 23 33 25"),
    "inconsistent": (24, "M7 28C10 27 12 19 15 20S19 29 22 27 27 19 33 21"),
}


@dataclass(frozen=True)
class Icon:
    """What one icon shows. ``kind`` is "variation" or "assurance"; ``words`` its meaning."""

    kind: str
    code: str
    colour: str
    letter: str | None
    words: str
    dots: tuple[float, ...] = ()
    target_height: float | None = None
    process_path: str | None = None

    @property
    def label(self) -> str:
        """The icon's accessible name, e.g. "Variation: special cause concern (high)"."""
        return f"{self.kind.capitalize()}: {self.words}"


VARIATION_LOOKS = {  # variation icon: (colour, letter, dots)
    "common_cause": (ICON_RING_GREY, None, DOTS_COMMON),
    "improvement_high": (ICON_BLUE, "H", DOTS_HIGH),
    "improvement_low": (ICON_BLUE, "L", DOTS_LOW),
    "concern_high": (ICON_ORANGE, "H", DOTS_HIGH),
    "concern_low": (ICON_ORANGE, "L", DOTS_LOW),
    "neutral_high": (ICON_PURPLE, "H", DOTS_HIGH),
    "neutral_low": (ICON_PURPLE, "L", DOTS_LOW),
}
ASSURANCE_LOOKS = {  # assurance icon: (colour, letter)
    "pass": (ICON_BLUE, "P"),
    "fail": (ICON_ORANGE, "F"),
    "inconsistent": (ICON_RING_GREY, "?"),
}


def variation_icon(code: str | None) -> Icon | None:
    """The variation icon of a series' ``variation_icon`` (None when none is shown)."""
    if code not in VARIATION_LOOKS:
        return None
    colour, letter, dots = VARIATION_LOOKS[code]
    return Icon("variation", code, colour, letter, VARIATION_WORDS[code], dots=dots)


def assurance_icon(code: str | None) -> Icon | None:
    """The assurance icon of a series' ``assurance_icon`` (None when none is shown)."""
    if code not in ASSURANCE_LOOKS:
        return None
    colour, letter = ASSURANCE_LOOKS[code]
    height, path = ASSURANCE_LINES[code]
    return Icon(
        "assurance",
        code,
        colour,
        letter,
        ASSURANCE_WORDS[code],
        target_height=height,
        process_path=path,
    )


def summary_icons(summary: dict) -> list[Icon]:
    """The icons a series' summary row shows: variation, then assurance, when there are any."""
    icons = [
        variation_icon(summary.get("variation_icon")),
        assurance_icon(summary.get("assurance_icon")),
    ]
    return [icon for icon in icons if icon is not None]


def _ring(icon: Icon) -> str:
    return (
        f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{RING_RADIUS}" fill="#FFFFFF" '
        f'stroke="{icon.colour}" stroke-width="{RING_WIDTH}"/>'
    )


def _letter(icon: Icon) -> str:
    if icon.letter is None:
        return ""
    colour = ICON_GREY if icon.colour == ICON_RING_GREY else icon.colour
    drop = LOW_LETTER_DROP if icon.letter == "L" else 0
    drawn = (
        f'<path d="{LETTERS[icon.letter]}" transform="translate(0 {drop})" fill="none" '
        f'stroke="{colour}" '
        f'stroke-width="{LETTER_WIDTH}" stroke-linecap="round" stroke-linejoin="round"/>'
    )
    if icon.letter == "?":
        x, y, r = QUESTION_DOT
        drawn += f'<circle cx="{x}" cy="{y}" r="{r}" fill="{colour}"/>'
    return drawn


def _dots(icon: Icon) -> str:
    points = list(zip(DOT_X, icon.dots, strict=True))
    line = " ".join(f"{x:g},{y:g}" for x, y in points)
    drawn = f'<polyline points="{line}" fill="none" stroke="{ICON_GREY}" stroke-width="1.4"/>'
    special = len(points) - (SPECIAL_DOTS if icon.letter else 0)
    for index, (x, y) in enumerate(points):
        colour = icon.colour if index >= special else ICON_GREY
        drawn += f'<circle cx="{x:g}" cy="{y:g}" r="{DOT_RADIUS}" fill="{colour}"/>'
    return drawn


def _assurance_lines(icon: Icon) -> str:
    dash_colour = ICON_ORANGE if icon.colour == ICON_RING_GREY else icon.colour
    y = icon.target_height
    return (
        f'<path d="M5 {y:g}H35" stroke="{dash_colour}" stroke-width="{TARGET_LINE_WIDTH}" '
        f'stroke-dasharray="{TARGET_DASH}" fill="none"/>'
        f'<path d="{icon.process_path}" stroke="{ICON_GREY}" '
        f'stroke-width="{PROCESS_LINE_WIDTH}" fill="none" stroke-linecap="round"/>'
    )


def icon_svg(icon: Icon, size: int = GRID) -> str:
    """The icon as a standalone SVG element, ``size`` pixels square, named for screen readers."""
    body = _ring(icon) + (_dots(icon) if icon.kind == "variation" else _assurance_lines(icon))
    label = escape(icon.label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="candour-mdc-icon" width="{size}" '
        f'height="{size}" viewBox="0 0 {GRID} {GRID}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{body}{_letter(icon)}</svg>"
    )


def icon_data_url(icon: Icon) -> str:
    """The icon as a ``data:`` URL (base64, so no text of it can be read as words)."""
    encoded = base64.b64encode(icon_svg(icon).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
