"""The node-editor canvas: a QGraphicsView/Scene that shows and edits a DocumentEditor's design.

`view.CanvasView` is the widget the main window embeds; the scene observes the document and
turns gestures into named undoable commands; items only paint and report intent.
"""
