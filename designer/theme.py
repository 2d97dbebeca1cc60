"""Light and dark themes: Fusion style, a QPalette and a small stylesheet.

Owns the colours every designer widget uses (`colors()`), chosen from the Okabe-Ito set so
accents stay distinguishable with colour-blindness; severities also carry an icon and words,
never colour alone. Spacing follows an 8 px grid (`SPACE`). The canvas is told separately via
its `set_dark(bool)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

SPACE = 8  # the layout grid


@dataclass(frozen=True)
class Colors:
    dark: bool
    window: str
    panel: str  # docks and side panels
    base: str  # inputs, lists
    alt_base: str
    text: str
    muted: str  # secondary text, captions
    border: str
    accent: str  # selection, focus, links (Okabe-Ito blue)
    accent_text: str
    error: str  # Okabe-Ito vermillion
    warning: str  # Okabe-Ito orange
    ok: str  # Okabe-Ito bluish green
    icon: str


LIGHT = Colors(False, window="#eef0f3", panel="#f6f7f9", base="#ffffff", alt_base="#f4f6f8",
               text="#1f2328", muted="#5f6773", border="#d3d8de", accent="#0072b2",
               accent_text="#ffffff", error="#c0430a", warning="#b57800", ok="#00875f",
               icon="#3b4350")
DARK = Colors(True, window="#1b1e23", panel="#22262c", base="#16191d", alt_base="#1e2227",
              text="#e3e6ea", muted="#9aa3ad", border="#363c44", accent="#3d9be0",
              accent_text="#ffffff", error="#ff7a45", warning="#f0b429", ok="#3cc79a",
              icon="#c9cfd6")

_current = LIGHT


def colors() -> Colors:
    """The colours of the theme in use."""
    return _current


def is_dark() -> bool:
    return _current.dark


def apply(app: QApplication, dark: bool) -> Colors:
    """Switch the whole application to the light or dark theme."""
    global _current
    _current = DARK if dark else LIGHT
    if not app.property("fusion_style"):  # setting it again re-polishes every widget
        app.setStyle("Fusion")
        app.setProperty("fusion_style", True)
    app.setPalette(_palette(_current))
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet(stylesheet(_current) + _control_images(_current))
    return _current


def _palette(c: Colors) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.Window: c.window, QPalette.WindowText: c.text, QPalette.Base: c.base,
        QPalette.AlternateBase: c.alt_base, QPalette.Text: c.text, QPalette.Button: c.panel,
        QPalette.ButtonText: c.text, QPalette.ToolTipBase: c.base, QPalette.ToolTipText: c.text,
        QPalette.Highlight: c.accent, QPalette.HighlightedText: c.accent_text,
        QPalette.Link: c.accent, QPalette.PlaceholderText: c.muted, QPalette.Mid: c.border,
        QPalette.Midlight: c.border, QPalette.Light: c.base, QPalette.BrightText: c.error,
    }
    for role, value in roles.items():
        pal.setColor(role, QColor(value))
    dark_shade = QColor(c.border).darker(130 if not c.dark else 160)
    pal.setColor(QPalette.Dark, dark_shade)
    pal.setColor(QPalette.Shadow, dark_shade.darker(150))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        pal.setColor(QPalette.Disabled, role, QColor(c.muted))
    return pal


def stylesheet(c: Colors) -> str:
    """A small stylesheet on top of Fusion: flat docks, quiet borders, 8 px rhythm."""
    return f"""
QMainWindow::separator {{ background: {c.border}; width: 1px; height: 1px; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{ background: {c.panel}; padding: 6px 8px; border-bottom: 1px solid
    {c.border}; }}
QToolBar {{ background: {c.panel}; border: none; border-bottom: 1px solid {c.border};
    padding: 4px 8px; spacing: 4px; }}
QToolBar::separator {{ background: {c.border}; width: 1px; margin: 4px 6px; }}
QToolButton {{ border: 1px solid transparent; border-radius: 4px; padding: 4px; }}
QToolButton:hover {{ background: {c.alt_base}; border-color: {c.border}; }}
QToolButton:checked {{ background: {c.alt_base}; border-color: {c.accent}; }}
QStatusBar {{ background: {c.panel}; border-top: 1px solid {c.border}; color: {c.muted}; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QTabWidget::pane {{ border: none; border-top: 1px solid {c.border}; }}
QTabBar::tab {{ padding: 6px 16px; border: none; color: {c.muted}; background: transparent; }}
QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; }}
QTabBar#side_tabs::tab {{ padding: 6px 10px; }}
QLineEdit, QAbstractSpinBox, QComboBox {{ padding: 3px 6px; border: 1px solid
    {c.border}; border-radius: 4px; background: {c.base}; min-height: 20px; }}
QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus {{
    border-color: {c.accent}; }}
QLineEdit[role="title"] {{ font-size: 13pt; font-weight: 600; padding: 4px 8px; }}
QLineEdit[invalid="true"], QAbstractSpinBox[invalid="true"], QComboBox[invalid="true"] {{
    border-color: {c.error}; }}
QTreeView, QListView, QTableView {{ border: none; background: {c.base};
    selection-background-color: {c.accent}; selection-color: {c.accent_text}; }}
QTreeView::item, QListView::item {{ padding: 3px 2px; }}
QHeaderView::section {{ background: {c.panel}; color: {c.muted}; border: none;
    border-bottom: 1px solid {c.border}; border-right: 1px solid {c.border}; padding: 4px 8px; }}
QLabel[role="heading"] {{ font-weight: 600; font-size: 13pt; }}
QLabel[role="caption"] {{ color: {c.muted}; }}
QLabel[role="section"] {{ color: {c.muted}; font-weight: 600; padding-top: 8px; }}
QLabel[role="error"] {{ color: {c.error}; }}
QLabel[role="warning"] {{ color: {c.warning}; }}
QLabel[role="ok"] {{ color: {c.ok}; }}
QFrame[role="card"] {{ background: {c.alt_base}; border: 1px solid {c.border};
    border-radius: 6px; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QToolTip {{ background: {c.base}; color: {c.text}; border: 1px solid {c.border}; padding: 6px; }}
QMenu::separator {{ height: 1px; background: {c.border}; margin: 4px 8px; }}
"""


def _control_images(c: Colors) -> str:
    """Spin box arrows and check marks, drawn from our icons in the theme's colours."""
    from designer.icons import image_file

    up, down = image_file("chevron-up", c.icon, 12), image_file("chevron-down", c.icon, 12)
    check = image_file("check", c.accent_text, 14)
    return f"""
QAbstractSpinBox {{ padding-right: 20px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ subcontrol-origin: border;
    width: 18px; border: none;
    border-left: 1px solid {c.border}; background: {c.alt_base}; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right;
    border-top-right-radius: 4px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right;
    border-bottom-right-radius: 4px; border-top: 1px solid {c.border}; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{
    background: {c.border}; }}
QAbstractSpinBox::up-arrow {{ image: url({up}); width: 10px; height: 10px; }}
QAbstractSpinBox::down-arrow {{ image: url({down}); width: 10px; height: 10px; }}
QComboBox {{ padding-right: 24px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
    width: 20px; border: none; }}
QComboBox::down-arrow {{ image: url({down}); width: 10px; height: 10px; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: 1px solid {c.muted};
    border-radius: 3px; background: {c.base}; }}
QCheckBox::indicator:checked {{ background: {c.accent}; border-color: {c.accent};
    image: url({check}); }}
QCheckBox::indicator:focus {{ border-color: {c.accent}; }}
"""


def repolish(widget) -> None:
    """Re-apply the stylesheet after a dynamic property such as `invalid` changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
