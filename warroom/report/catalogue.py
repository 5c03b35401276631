"""The series catalogue as CSV: ``warroom catalogue --out`` and the catalogue panel's Export.

One row per series (``CATALOGUE_COLUMNS``) or per difference of a comparison
(``COMPARE_COLUMNS``); times in ISO 8601 UTC, numbers plain, flags space-separated. Text that
came from a feed is kept from becoming a spreadsheet formula.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from warroom.core.catalogue import CatalogueEntry, Difference

#: The CSV columns of a catalogue, in order.
CATALOGUE_COLUMNS = ("series", "metric", "labels", "unit", "description", "owner", "source", "first_seen",
                     "last_seen", "points", "interval_s", "per_minute", "min", "max", "mean", "refused",
                     "invalid", "flags")
#: The CSV columns of a comparison.
COMPARE_COLUMNS = ("kind", "metric", "series", "a", "b", "count")


def iso(ms: int) -> str:
    """Epoch ms as ISO 8601 UTC to the second (``2026-12-06T10:42:05Z``)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _num(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.6g}"


def catalogue_rows(entries: Iterable[CatalogueEntry]) -> Iterable[list]:
    """CSV rows (``CATALOGUE_COLUMNS``) of catalogue entries."""
    for e in entries:
        s = e.stats
        labels = ";".join(f"{k}={v}" for k, v in e.key.labels.items())
        yield [e.text, e.key.name, labels, e.unit, e.description, e.owner, e.source,
               iso(s.first_ms) if s.points else "", iso(s.last_ms) if s.points else "", s.points,
               _num(s.interval_ms / 1000) if s.interval_ms else "", _num(s.per_minute) if s.per_minute else "",
               _num(s.min), _num(s.max), _num(s.mean), s.refused, e.invalid,
               " ".join(sorted(f.value for f in e.flags))]


def comparison_rows(diffs: Iterable[Difference]) -> Iterable[list]:
    """CSV rows (``COMPARE_COLUMNS``) of a comparison."""
    for d in diffs:
        yield [d.kind.value, d.metric, d.series, d.a, d.b, d.count]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): quote it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def write_csv(path: Path, rows: Iterable[list], columns: tuple[str, ...]) -> int:
    """Write ``rows`` under ``columns`` to ``path`` (UTF-8); how many rows. ``OSError`` on failure."""
    n = 0
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow([_cell(v) for v in row])
            n += 1
    return n
