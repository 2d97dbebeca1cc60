"""The node-editor canvas: a QGraphicsView/Scene that shows and edits a DocumentEditor's design.

`view.CanvasView` is the widget the main window embeds; the scene observes the document and
turns gestures into named undoable commands; items only paint and report intent.
"""

from designer.workers.refcount import make_true_immortal

make_true_immortal()  # PySide6 6.12.0 on Python < 3.12 steals None/True refs; see that module
