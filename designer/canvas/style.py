"""The canvas look: geometry constants, light/dark palettes and per-category accents.

Category accents use the Okabe–Ito colour-blind-safe palette and always come with a glyph and
the layer type in text, so colour is never the only signal. `CanvasStyle` is a plain value the
scene hands to its items; switching theme swaps the value and repaints.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

GRID = 20.0  # snapping step and minor grid spacing
MAJOR_EVERY = 5  # a major grid line every 5 minor lines
NODE_W = 176.0
NODE_H = 74.0
HEADER_H = 26.0
PORT_R = 5.5  # drawn radius of a port
PORT_HIT_R = 11.0  # grab radius of a port
MULTI_PORT_H = 24.0  # height of a multi-input (merge) port capsule
COL_STEP = 260.0  # auto-layout column spacing
ROW_STEP = 120.0  # auto-layout row spacing
PASTE_OFFSET = 40.0
DETAIL_LOD = 0.7  # below this zoom nodes show only their title (large) and wires no label
FAR_LOD = 0.3  # below this nodes are boxes in their category colour (no text, ports, shadow)

# Okabe–Ito: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, grey.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999",
}

# category -> (accent colour, glyph). Glyphs are plain Unicode so they need no icon files.
CATEGORIES: dict[str, tuple[str, str]] = {
    "input": (OKABE_ITO["grey"], "▶"),
    "core": (OKABE_ITO["blue"], "▦"),
    "convolution": (OKABE_ITO["orange"], "▣"),
    "pooling": (OKABE_ITO["sky"], "▼"),
    "normalisation": (OKABE_ITO["purple"], "≈"),
    "regularisation": (OKABE_ITO["yellow"], "◌"),
    "activation": (OKABE_ITO["green"], "∫"),
    "merge": (OKABE_ITO["vermillion"], "⊕"),
    "recurrent": (OKABE_ITO["purple"], "↻"),
    "generative": (OKABE_ITO["sky"], "✶"),
    "graph": (OKABE_ITO["green"], "◇"),
    # blocks (and their port nodes inside) are also told apart by a stacked outline
    "block": ("#8C6D46", "▤"),
}


def category_accent(category: str) -> QColor:
    return QColor(CATEGORIES.get(category, (OKABE_ITO["grey"], "•"))[0])


def category_glyph(category: str) -> str:
    return CATEGORIES.get(category, ("", "•"))[1]


@dataclass(frozen=True)
class CanvasStyle:
    dark: bool
    background: QColor
    grid_minor: QColor
    grid_major: QColor
    node_fill: QColor
    node_border: QColor
    node_shadow: QColor
    text: QColor
    text_muted: QColor
    selection: QColor
    wire: QColor
    wire_selected: QColor
    label_fill: QColor
    port_fill: QColor
    problem: QColor
    warning: QColor
    comment_fill: QColor
    comment_border: QColor
    rubber_band: QColor


LIGHT = CanvasStyle(
    dark=False,
    background=QColor("#f6f7f9"), grid_minor=QColor("#eceef1"), grid_major=QColor("#dfe2e7"),
    node_fill=QColor("#ffffff"), node_border=QColor("#c9ced6"), node_shadow=QColor(0, 0, 0, 28),
    text=QColor("#1f2328"), text_muted=QColor("#626a75"), selection=QColor("#0072B2"),
    wire=QColor("#8a929c"), wire_selected=QColor("#0072B2"), label_fill=QColor("#f6f7f9"),
    port_fill=QColor("#ffffff"), problem=QColor("#D55E00"), warning=QColor("#B8860B"),
    comment_fill=QColor(240, 228, 66, 60), comment_border=QColor("#c8b400"),
    rubber_band=QColor(0, 114, 178, 40),
)

DARK = CanvasStyle(
    dark=True,
    background=QColor("#1c1f24"), grid_minor=QColor("#23272d"), grid_major=QColor("#2c3138"),
    node_fill=QColor("#2a2f36"), node_border=QColor("#434a54"), node_shadow=QColor(0, 0, 0, 90),
    text=QColor("#e6e8eb"), text_muted=QColor("#9aa3ad"), selection=QColor("#56B4E9"),
    wire=QColor("#7d8793"), wire_selected=QColor("#56B4E9"), label_fill=QColor("#1c1f24"),
    port_fill=QColor("#1c1f24"), problem=QColor("#F08A4B"), warning=QColor("#F0E442"),
    comment_fill=QColor(240, 228, 66, 28), comment_border=QColor("#8f8630"),
    rubber_band=QColor(86, 180, 233, 40),
)


def heat_colour(value: float) -> QColor:
    """Diverging blue (vanishing) -> neutral (healthy) -> vermillion (exploding)."""
    v = min(1.0, max(0.0, float(value)))
    lo, mid, hi = QColor("#0072B2"), QColor("#b9c2cc"), QColor("#D55E00")
    a, b, t = (lo, mid, v / 0.5) if v < 0.5 else (mid, hi, (v - 0.5) / 0.5)
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def heat_word(value: float) -> str:
    if value < 0.25:
        return "vanishing"
    if value > 0.75:
        return "exploding"
    return "healthy"


def fonts() -> dict[str, QFont]:
    title = QFont()
    title.setPointSizeF(9.5)
    title.setBold(True)
    body = QFont()
    body.setPointSizeF(8.5)
    mono = QFont("DejaVu Sans Mono")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    mono.setPointSizeF(8.0)
    label = QFont(mono)
    label.setPointSizeF(7.5)
    glyph = QFont()
    glyph.setPointSizeF(10.0)
    return {"title": title, "body": body, "mono": mono, "label": label, "glyph": glyph}
