"""Export of plot views: the picture as PNG (a grab of the widget) and the data as CSV.

PNG goes through `QWidget.grab()`, so what is saved is exactly what is on screen (axes,
legend, warnings). CSV is written atomically; numbers keep full precision. Errors for the
user (a folder that cannot be written) come back as False / -1, never as an exception.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

from PySide6.QtWidgets import QWidget

from backend.project.design import atomic_write


def save_png(widget: QWidget, path: str) -> bool:
    """Save what `widget` shows as a PNG; True on success."""
    pixmap = widget.grab()
    if pixmap.isNull():
        return False
    return bool(pixmap.save(os.fspath(path), "PNG"))


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def save_csv(path: str, header: list[str], rows: list[list]) -> int:
    """Write the rows as CSV; returns the number of data rows, or -1 if it could not write."""
    try:
        atomic_write(Path(path), csv_text(header, rows).encode("utf-8"))
    except OSError:
        return -1
    return len(rows)
