"""Netwright's desktop designer (PySide6 + pyqtgraph). Depends on backend, never the reverse."""
