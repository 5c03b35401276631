"""Two catalogues side by side: what one source has and the other lacks, and where they disagree.

For checking a new source against a known one (a gateway against the simulator it watches, a
new feed against last week's history). Metrics are compared first, then their series:

* **only_a / only_b** — a metric present in one source only (one row per metric, with its series
  count), or a series of a shared metric present in one only;
* **labels** — a shared metric whose series carry different label names (``instance`` in one
  source only); its series are then matched on the labels both have;
* **unit** — a shared metric whose unit differs (declared or from the name);
* **rate** — a shared metric reported at a different pace (the median interval of its matched
  series differs by ``rate_factor`` or more);
* **scale** — a shared metric whose typical values differ by ``scale_factor`` or more: the
  milliseconds-for-seconds mistake (docs/gateway.md), a percent sent as a ratio.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from statistics import median

from warroom.core.catalogue.entries import Catalogue, CatalogueEntry
from warroom.core.model import SeriesKey

#: Reporting intervals this many times apart are a rate difference.
RATE_FACTOR = 1.5
#: Typical values this many times apart are a scale difference.
SCALE_FACTOR = 50.0


class DiffKind(str, enum.Enum):
    """What kind of difference a row reports."""

    ONLY_A = "only_a"
    ONLY_B = "only_b"
    LABELS = "labels"
    UNIT = "unit"
    RATE = "rate"
    SCALE = "scale"


@dataclass(frozen=True)
class Difference:
    """One difference: ``metric`` (and ``series`` when it is about one series), what A and B have."""

    kind: DiffKind
    metric: str
    series: str = ""
    a: str = ""
    b: str = ""
    count: int = 1  # how many series the row stands for

    @property
    def subject(self) -> str:
        """The series when the row is about one, else the metric."""
        return self.series or self.metric


def _by_metric(cat: Catalogue) -> dict[str, list[CatalogueEntry]]:
    out: dict[str, list[CatalogueEntry]] = {}
    for e in cat.entries:
        out.setdefault(e.key.name, []).append(e)
    return out


def _label_names(entries: list[CatalogueEntry]) -> set[str]:
    return {n for e in entries for n in e.key.labels}


def _project(entries: list[CatalogueEntry], names: set[str]) -> dict[SeriesKey, CatalogueEntry]:
    """Entries by their key cut down to ``names``; of several that collapse, the first kept."""
    out: dict[SeriesKey, CatalogueEntry] = {}
    for e in entries:
        out.setdefault(SeriesKey(e.key.name, {k: v for k, v in e.key.labels.items() if k in names}), e)
    return out


def _every(ms: float) -> str:
    if ms <= 0:
        return "one point"
    return f"every {ms / 1000:.3g} s"


def _typical(entries: list[CatalogueEntry]) -> float:
    means = [abs(e.stats.mean) for e in entries if math.isfinite(e.stats.mean) and e.stats.mean != 0]
    return median(means) if means else math.nan


def compare(a: Catalogue, b: Catalogue, *, rate_factor: float = RATE_FACTOR,
            scale_factor: float = SCALE_FACTOR) -> list[Difference]:
    """The differences between catalogues ``a`` and ``b``, metric by metric in name order."""
    ma, mb = _by_metric(a), _by_metric(b)
    out: list[Difference] = []
    for metric in sorted(set(ma) | set(mb)):
        ea, eb = ma.get(metric), mb.get(metric)
        if eb is None:
            out.append(Difference(DiffKind.ONLY_A, metric, a=f"{len(ea)} series", count=len(ea)))
            continue
        if ea is None:
            out.append(Difference(DiffKind.ONLY_B, metric, b=f"{len(eb)} series", count=len(eb)))
            continue
        out.extend(_compare_metric(metric, ea, eb, rate_factor, scale_factor))
    return out


def _compare_metric(metric: str, ea: list[CatalogueEntry], eb: list[CatalogueEntry],
                    rate_factor: float, scale_factor: float) -> list[Difference]:
    out: list[Difference] = []
    la, lb = _label_names(ea), _label_names(eb)
    if la != lb:
        out.append(Difference(DiffKind.LABELS, metric, a=", ".join(sorted(la - lb)) or "-",
                              b=", ".join(sorted(lb - la)) or "-", count=len(ea) + len(eb)))
    units_a, units_b = {e.unit for e in ea}, {e.unit for e in eb}
    if units_a != units_b:
        out.append(Difference(DiffKind.UNIT, metric, a=", ".join(sorted(u or "?" for u in units_a)),
                              b=", ".join(sorted(u or "?" for u in units_b))))
    shared = la & lb
    pa, pb = _project(ea, shared), _project(eb, shared)
    for key in sorted(set(pa) - set(pb), key=lambda k: k.text):
        out.append(Difference(DiffKind.ONLY_A, metric, series=pa[key].key.text, a=_every(pa[key].stats.interval_ms)))
    for key in sorted(set(pb) - set(pa), key=lambda k: k.text):
        out.append(Difference(DiffKind.ONLY_B, metric, series=pb[key].key.text, b=_every(pb[key].stats.interval_ms)))
    both = [(pa[k], pb[k]) for k in set(pa) & set(pb)]
    ia = [x.stats.interval_ms for x, _ in both if x.stats.interval_ms > 0]
    ib = [y.stats.interval_ms for _, y in both if y.stats.interval_ms > 0]
    if ia and ib:
        ra, rb = median(ia), median(ib)
        if max(ra, rb) >= rate_factor * min(ra, rb):
            apart = sum(1 for x, y in both if x.stats.interval_ms > 0 and y.stats.interval_ms > 0
                        and max(x.stats.interval_ms, y.stats.interval_ms)
                        >= rate_factor * min(x.stats.interval_ms, y.stats.interval_ms))
            out.append(Difference(DiffKind.RATE, metric, a=_every(ra), b=_every(rb), count=apart))
    ta, tb = _typical([x for x, _ in both]), _typical([y for _, y in both])
    if math.isfinite(ta) and math.isfinite(tb) and max(ta, tb) >= scale_factor * min(ta, tb):
        out.append(Difference(DiffKind.SCALE, metric, a=f"~{ta:.4g}", b=f"~{tb:.4g}", count=len(both)))
    return out
