"""The wall scale: the whole window drawn bigger or smaller with the screen it fills.

The panels are designed at 1920x1080 (96 dpi): their point sizes, margins and line widths
are 1080p numbers. A wall at 3840x2160 must show the same picture twice as big, not the
same type on four times the area (half of every list would be empty and nothing readable
from five metres). ``scale_for`` (``warroom.core.settings.wall``) turns a window size into a scale;
``--scale`` or the configuration's ``scale`` fixes it instead.

``WallScaler`` watches one window: when its size or screen changes enough to change the
scale, ``apply_scale`` re-applies it to what is already built, generically, so that a panel
need not know: the application font and style sheet, every font a widget set itself, the
margins and spacing of every layout, explicit minimum/maximum sizes and the ``px`` lengths
in widgets' own style sheets. Widgets (and item views' delegates) that paint with fonts or
lengths of their own get a call to ``wall_scale_changed()`` afterwards, if they have one.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLayout, QWidget

from warroom.core.settings.wall import scale_for
from warroom.ui import theme

__all__ = ["WallScaler", "apply_scale", "attach", "scale_for", "window_dpi"]

#: A change of the scale smaller than this is not worth re-laying out every panel.
HYSTERESIS = 0.04
_QWIDGETSIZE_MAX = (1 << 24) - 1
_PX = re.compile(r"(\d+(?:\.\d+)?)px")
_SET_FONT = Qt.WidgetAttribute.WA_SetFont
_SIZE_RESOLVED = 0x2  # QFont::SizeResolved (PySide does not export QFont::ResolveProperties)
_SHEET_FONT = "_q_styleSheetWidgetFont"  # QStyleSheetStyle's copy of the font a widget set itself


def window_dpi(window: QWidget) -> float:
    """The logical DPI of the screen the window is on (96 where nothing says otherwise)."""
    screen = window.screen()
    dpi = screen.logicalDotsPerInchY() if screen is not None else 96.0
    return dpi if dpi > 0 else 96.0


def apply_scale(window: QWidget, scale: float, dpi: float = 96.0, *, force: bool = False) -> bool:
    """Make ``scale`` the wall scale and re-apply it to ``window``; False if nothing changed."""
    old_px, old_pt = theme.wall_scale(), theme.point_scale()
    same_dpi = abs(dpi - 96.0 * old_px / old_pt) < 0.5
    if not force and abs(scale - old_px) <= HYSTERESIS * old_px and same_dpi:
        return False
    theme.set_wall_scale(scale, dpi)
    app = QApplication.instance()
    if app is not None:
        app.setFont(theme.ui_font(theme.base_point_size()))  # widgets that set no font follow it
        app.setStyleSheet(theme.style_sheet(theme.current()))
    rescale_tree(window, old_px, old_pt)
    return True


def rescale_tree(root: QWidget, old_px: float, old_pt: float) -> None:
    """Bring what ``root`` and its children set for the scale ``old_px`` to the scale in force."""
    new_px, new_pt = theme.wall_scale(), theme.point_scale()
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        # Only a size the widget set itself: one it inherits (a font made bold, say) has
        # already followed the application's or the parent's font.
        if w.testAttribute(_SET_FONT) and int(w.font().resolveMask()) & _SIZE_RESOLVED:
            font = w.font()
            if font.pointSizeF() > 0:
                font.setPointSizeF(max(1.0, _rescaled(w, "wr_font", font.pointSizeF(), old_pt, new_pt, whole=False)))
            elif font.pixelSize() > 0:
                font.setPixelSize(max(1, int(_rescaled(w, "wr_font", font.pixelSize(), old_px, new_px))))
            w.setFont(font)
            if w.property(_SHEET_FONT) is not None:
                # Qt's style sheets put this font back whenever the widget is polished again
                # (any new style sheet, here or on the widget): it must be the scaled one.
                w.setProperty(_SHEET_FONT, font)
        if not w.isWindow():
            _rescale_sizes(w, old_px, new_px)
        sheet = w.styleSheet()
        if sheet and "px" in sheet:
            w.setStyleSheet(_rescaled_sheet(w, sheet, old_px, new_px))
    for layout in root.findChildren(QLayout):
        _rescale_layout(layout, old_px, new_px)
    for w in widgets:
        hook = getattr(w, "wall_scale_changed", None)
        if callable(hook):
            hook()
        if isinstance(w, QAbstractItemView):  # delegates that paint with fonts of their own
            hook = getattr(w.itemDelegate(), "wall_scale_changed", None)
            if callable(hook):
                hook()
                w.doItemsLayout()
    for w in widgets:
        w.updateGeometry()


def _rescaled(obj: QObject, key: str, current: float, old: float, new: float, whole: bool = True) -> float:
    """``current`` (set for the scale ``old``) at the scale ``new``.

    The 1080p value is remembered on the object, so that going back and forth between
    scales does not accumulate rounding; a value the widget set itself since is taken anew.
    """
    memo = obj.property(key)
    if isinstance(memo, (list, tuple)) and len(memo) == 2 and memo[1] == current:
        base = float(memo[0])
    else:
        base = current / old if old else current
    value = base * new
    if whole:
        value = float(max(1, round(value))) if current > 0 else 0.0
    obj.setProperty(key, [base, value])
    return value


def _rescale_sizes(w: QWidget, old: float, new: float) -> None:
    mn, mx = w.minimumSize(), w.maximumSize()
    if mn.width() > 0:
        w.setMinimumWidth(int(_rescaled(w, "wr_min_w", mn.width(), old, new)))
    if mn.height() > 0:
        w.setMinimumHeight(int(_rescaled(w, "wr_min_h", mn.height(), old, new)))
    if 0 < mx.width() < _QWIDGETSIZE_MAX:
        w.setMaximumWidth(int(_rescaled(w, "wr_max_w", mx.width(), old, new)))
    if 0 < mx.height() < _QWIDGETSIZE_MAX:
        w.setMaximumHeight(int(_rescaled(w, "wr_max_h", mx.height(), old, new)))


def _rescale_layout(layout: QLayout, old: float, new: float) -> None:
    m = layout.contentsMargins()
    values = (m.left(), m.top(), m.right(), m.bottom())
    if any(values):
        memo = layout.property("wr_margins")
        if isinstance(memo, (list, tuple)) and len(memo) == 2 and list(memo[1]) == list(values):
            base = [float(v) for v in memo[0]]
        else:
            base = [v / old for v in values]
        scaled = [int(round(b * new)) if b else 0 for b in base]
        layout.setContentsMargins(*scaled)
        layout.setProperty("wr_margins", [base, scaled])
    spacing = layout.spacing()
    if spacing > 0 and hasattr(layout, "setSpacing"):
        layout.setSpacing(int(_rescaled(layout, "wr_spacing", spacing, old, new)))


def _rescaled_sheet(w: QWidget, sheet: str, old: float, new: float) -> str:
    memo = w.property("wr_sheet")
    base = memo[0] if isinstance(memo, (list, tuple)) and len(memo) == 2 and memo[1] == sheet else None
    if base is None:  # a sheet the widget set itself: its lengths are for the scale ``old``
        base = _PX.sub(lambda m: f"{float(m.group(1)) / old:.3f}px", sheet)
    scaled = _PX.sub(lambda m: f"{max(1, round(float(m.group(1)) * new)) if float(m.group(1)) else 0}px", base)
    w.setProperty("wr_sheet", [base, scaled])
    return scaled


class WallScaler(QObject):
    """Keeps a window's wall scale in step with its size and screen (or fixed at ``fixed``)."""

    DELAY_MS = 200  # a window being dragged bigger re-lays out once it stops, not at every step

    def __init__(self, window: QWidget, fixed: float | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.fixed = fixed
        self._timer = QTimer(self, singleShot=True, interval=self.DELAY_MS)
        self._timer.timeout.connect(self.update_now)
        self._screen_hooked = False
        self._moved = False  # the window went to another screen since the scale was applied
        window.installEventFilter(self)

    def wanted_scale(self) -> float:
        """The scale for the window as it is now (after a move to another screen: no larger
        than that screen's, or the old scale's minimum sizes could hold the window too big)."""
        if self.fixed is not None:
            return self.fixed
        size = self.window.size()
        scale = scale_for(size.width(), size.height())
        screen = self.window.screen() if self._moved else None
        if screen is not None:
            area = screen.availableGeometry()
            scale = min(scale, scale_for(area.width(), area.height()))
        return scale

    def update_now(self) -> bool:
        """Apply the scale the window wants now; True if it changed. A window that was closed
        (or hidden) applies nothing: the scale is the application's, and a closed window's
        last resize must not rescale the windows still open."""
        if not self.window.isVisible():
            return False
        changed = apply_scale(self.window, self.wanted_scale(), window_dpi(self.window))
        self._moved = False
        return changed

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Qt may deliver events while the Python side is half built or being torn down.
        if obj is getattr(self, "window", None):
            kind = event.type()
            if kind in (QEvent.Type.ScreenChangeInternal, QEvent.Type.DevicePixelRatioChange):
                self._moved = True
            if kind in (QEvent.Type.Resize, QEvent.Type.ScreenChangeInternal, QEvent.Type.DevicePixelRatioChange):
                self._timer.start()
            if kind == QEvent.Type.Show and not self._screen_hooked and self.window.windowHandle() is not None:
                self.window.windowHandle().screenChanged.connect(self._on_screen_changed)
                self._screen_hooked = True
        return False

    def _on_screen_changed(self, *_: object) -> None:
        self._moved = True
        self._timer.start()


def attach(window: QWidget, fixed: float | None = None) -> WallScaler:
    """Scale ``window`` for its size from now on (``fixed``: always that scale); applied at once."""
    scaler = WallScaler(window, fixed)
    apply_scale(window, scaler.wanted_scale(), window_dpi(window), force=True)
    return scaler
