"""Side and bottom panels of the main window: palette, inspector, problems, summary."""
