"""The Qt skin (PySide6, pyqtgraph, qasync). The only package allowed to import them."""

import os as _os

# Qt's raster engine caches glyphs up to 64 px and draws bigger text as paths, every time:
# a KPI tile's 90-pixel number cost 0.25 ms a draw instead of 0.02 ms. Wall type is big, so
# raise the limit; Qt reads it once, at the first text drawn, which is after this import.
_os.environ.setdefault("QT_MAX_CACHED_GLYPH_SIZE", "192")
