"""Window layouts: which panels go where, as versioned JSON files in ``layouts/``.

A layout names a central panel and docked panels with their areas, an optional panel
``id`` (to have several charts) and initial panel ``state``. ``load_layout`` validates a
file and raises ``LayoutError`` naming the file and the problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.core.settings.paths import layouts_root

FORMAT = 1
AREAS = ("top", "bottom", "left", "right")


class LayoutError(ValueError):
    """A layout file is missing or malformed."""


@dataclass(frozen=True)
class PanelSpec:
    """One panel of a layout."""

    panel: str  # panel type, e.g. "chart"
    id: str  # unique in the layout; the dock's objectName
    area: str = "center"
    state: dict[str, Any] = field(default_factory=dict)
    share: float | None = None  # of its area's length, when several docks share an area
    #: Another dock of the same area this one shares a place with, as a tab behind it (a
    #: laptop's column cannot hold a readable map and an incident timeline one above the other).
    tab_with: str | None = None


@dataclass(frozen=True)
class Layout:
    """A parsed layout file."""

    name: str
    title: str
    theme: str
    font_pt: float
    central: PanelSpec
    docks: tuple[PanelSpec, ...]
    sizes: dict[str, float] = field(default_factory=dict)
    #: Side areas ("left", "right") that run the window's full height, so the bottom area
    #: sits under the centre only (by default the top and bottom areas span the width).
    full_height: tuple[str, ...] = ()

    @property
    def panels(self) -> tuple[PanelSpec, ...]:
        """The central panel, then the docks."""
        return (self.central, *self.docks)


def layouts_dir() -> Path:
    """Where the shipped layouts are (``WARROOM_LAYOUTS`` overrides)."""
    return layouts_root()


def available() -> list[str]:
    """Names of the shipped layouts."""
    return sorted(p.stem for p in layouts_dir().glob("*.json"))


def load_layout(name_or_path: str) -> Layout:
    """Load a layout by name (``command-centre``) or path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = layouts_dir() / f"{name_or_path}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayoutError(f"no layout {name_or_path!r}; available: {', '.join(available()) or 'none'}") from None
    except (OSError, ValueError) as exc:
        raise LayoutError(f"{path}: cannot read: {exc}") from None
    try:
        return parse_layout(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutError(f"{path}: {exc}") from None


def parse_layout(data: Any) -> Layout:
    """Validate a layout's JSON object."""
    if not isinstance(data, dict):
        raise ValueError("a layout is a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"layout format {data.get('format')!r} is not {FORMAT}")
    central = _spec(data["central"], "center")
    docks = tuple(_spec(d, None) for d in data.get("docks", []))
    ids = [p.id for p in (central, *docks)]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"panel ids used twice: {sorted(dup)} (give each chart its own \"id\")")
    for i, d in enumerate(docks):
        if d.tab_with is None:
            continue
        earlier = {e.id: e for e in docks[:i]}
        if d.tab_with not in earlier or earlier[d.tab_with].area != d.area:
            raise ValueError(f"panel {d.id!r}: tab_with must name an earlier dock of area {d.area!r}, "
                             f"got {d.tab_with!r}")
    sizes = {str(k): float(v) for k, v in (data.get("sizes") or {}).items()}
    if any(k not in AREAS or not 0 < v < 1 for k, v in sizes.items()):
        raise ValueError(f"sizes must map {AREAS} to fractions of the window, got {sizes}")
    full_height = tuple(str(a) for a in data.get("full_height", ()))
    if any(a not in ("left", "right") for a in full_height):
        raise ValueError(f"full_height may name 'left' and 'right', got {list(full_height)}")
    return Layout(
        name=str(data["name"]),
        title=str(data.get("title", data["name"])),
        theme=str(data.get("theme", "dark")),
        font_pt=float(data.get("font_pt", 11)),
        central=central,
        docks=docks,
        sizes=sizes,
        full_height=full_height,
    )


def _spec(d: Any, area: str | None) -> PanelSpec:
    if not isinstance(d, dict) or not isinstance(d.get("panel"), str):
        raise ValueError(f"each panel needs a \"panel\" type name, got {d!r}")
    a = area or d.get("area")
    if a not in (*AREAS, "center"):
        raise ValueError(f"panel {d['panel']!r}: area must be one of {AREAS}, got {a!r}")
    state = d.get("state") or {}
    if not isinstance(state, dict):
        raise ValueError(f"panel {d['panel']!r}: state must be an object")
    share = d.get("share")
    if share is not None and not (isinstance(share, (int, float)) and 0 < share < 1):
        raise ValueError(f"panel {d['panel']!r}: share must be a fraction between 0 and 1, got {share!r}")
    tab_with = d.get("tab_with")
    if tab_with is not None and not isinstance(tab_with, str):
        raise ValueError(f"panel {d['panel']!r}: tab_with must be a dock id, got {tab_with!r}")
    return PanelSpec(panel=d["panel"], id=str(d.get("id", d["panel"])), area=a, state=state,
                     share=None if share is None else float(share), tab_with=tab_with)
