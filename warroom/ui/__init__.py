"""The Qt skin (PySide6, pyqtgraph, qasync). The only package allowed to import them.

Do not raise ``QT_MAX_CACHED_GLYPH_SIZE`` here (it was once set to 192 to cache the big
KPI digits): under Qt 6.11 the raster engine then asks FreeType for a cached glyph that
FreeType has already decided to draw as an outline, gets none, and paints nothing — every
glyph between 65 and 192 px vanished, which is the KPI numbers at 1080p and 4K
(the same Qt bug: slint-ui/slint#10568). ``tests/ui/test_big_text.py`` guards it.
"""

import os as _os

# Someone's shell (or an old launcher) may still set it: the wall must not lose its numbers.
_os.environ.pop("QT_MAX_CACHED_GLYPH_SIZE", None)
