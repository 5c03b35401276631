"""The series catalogue: every series a source has sent, what it is and whether it can be trusted.

Pure and GUI-free. ``units`` names a series' unit (declared, else from the metric name's
Prometheus suffix) and the values it may take; ``describe`` resolves unit, description and owner
from the declared series metadata (world or site file) and the call graph; ``entries`` turns
per-series statistics into catalogue rows with their flags (silent, invalid values, refused
points); ``compare`` sets two catalogues side by side (present in one only, unit, label, rate and
magnitude differences). The store (``warroom.store.catalogue``) and the console
(``warroom.app.catalogue``) compute the statistics; this package judges them.
"""

from warroom.core.catalogue.compare import DiffKind, Difference, compare
from warroom.core.catalogue.describe import (
    SeriesInfo,
    describe,
    infos_from_mapping,
    infos_from_wire,
    infos_to_wire,
)
from warroom.core.catalogue.entries import (
    Catalogue,
    CatalogueEntry,
    Flag,
    SeriesStats,
    build_catalogue,
    stats_of,
)
from warroom.core.catalogue.units import unit_of, valid_range

__all__ = [
    "Catalogue",
    "CatalogueEntry",
    "DiffKind",
    "Difference",
    "Flag",
    "SeriesInfo",
    "SeriesStats",
    "build_catalogue",
    "compare",
    "describe",
    "infos_from_mapping",
    "infos_from_wire",
    "infos_to_wire",
    "stats_of",
    "unit_of",
    "valid_range",
]
