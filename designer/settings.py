"""The designer's persistent settings (theme, recent files, window layout).

`settings()` returns the QSettings store; NETWRIGHT_SETTINGS=path.ini points it at a file
instead (tests use this so they never touch the user's settings).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def settings() -> QSettings:
    path = os.environ.get("NETWRIGHT_SETTINGS")
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings("Netwright", "Netwright")


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or []) if v]


def add_recent_file(path: str) -> list[str]:
    path = os.path.abspath(path)
    files = [path] + [p for p in recent_files() if p != path]
    files = files[:MAX_RECENT]
    settings().setValue("recent_files", files)
    return files


def clear_recent_files() -> None:
    settings().setValue("recent_files", [])


def dark_theme() -> bool:
    return str(settings().value("theme", "light")) == "dark"


def set_dark_theme(dark: bool) -> None:
    settings().setValue("theme", "dark" if dark else "light")
