"""The Qt skin (PySide6, pyqtgraph, qasync). The only package allowed to import them."""
