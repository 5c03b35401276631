"""Catalogue rows: per-series statistics judged against the series' own rhythm and unit.

``SeriesStats`` is what a source knows of one series (a history's points, a live view's ring);
``build_catalogue`` adds what the series is (``describe``) and flags what is wrong with it:

* **silent** — no point for ``silent_factor`` × its own usual interval (at least
  ``min_silent_ms``), measured against the newest point of the whole source, not the wall
  clock, so a history judged a week later is judged as it stood;
* **invalid** — values its unit cannot take (a ratio above 1, a negative latency);
* **refused** — points refused before they were kept (the store's quarantine, or a decoder
  that can name the series).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import numpy as np

from warroom.core.catalogue.describe import Described, SeriesInfo, describe
from warroom.core.catalogue.units import valid_range
from warroom.core.graph.topology import Topology
from warroom.core.model import SeriesKey

#: A series is silent after this many of its own intervals without a point...
SILENT_FACTOR = 5.0
#: ...and never sooner than this (feed ms): a 1 s series is not silent after 5 s of jitter.
MIN_SILENT_MS = 15_000


class Flag(str, enum.Enum):
    """What is wrong with a series (a row may have several)."""

    SILENT = "silent"
    INVALID = "invalid"
    REFUSED = "refused"


@dataclass(frozen=True)
class SeriesStats:
    """What is known of one series' points.

    ``interval_ms`` is the median time between consecutive points (0 with fewer than two).
    ``below_zero``/``above_one``/``above_hundred`` count values outside the bounds units use,
    so a source computes them once without knowing the unit. ``refused`` counts points refused
    before they were kept, when the source can tell.
    """

    points: int
    first_ms: int
    last_ms: int
    interval_ms: float = 0.0
    min: float = math.nan
    max: float = math.nan
    mean: float = math.nan
    below_zero: int = 0
    above_one: int = 0
    above_hundred: int = 0
    refused: int = 0
    #: Points with a finite value (those min/max/mean are of); None: all of them.
    finite: int | None = None

    @property
    def per_minute(self) -> float:
        """Points per minute: from the median interval (robust to gaps), else 0."""
        return 60_000.0 / self.interval_ms if self.interval_ms > 0 else 0.0

    def invalid_for(self, unit: str) -> int:
        """How many values ``unit`` cannot take (0 for a unit without bounds)."""
        bounds = valid_range(unit)
        if bounds is None:
            return 0
        low, high = bounds
        n = self.below_zero if low == 0.0 else 0
        if high == 1.0:
            n += self.above_one
        elif high == 100.0:
            n += self.above_hundred
        return n

    def merged(self, newer: "SeriesStats") -> "SeriesStats":
        """These statistics followed by ``newer``'s (later points of the same series).

        The interval is the mean of the two medians and of the gap between the two stretches,
        weighted by how many gaps each stands for: what a console polling its rings can keep
        without holding every timestamp (a series sending every 15 s, polled every 2 s, has a
        point or none per poll: its interval comes from the gaps between polls).
        """
        if self.points == 0:
            return replace(newer, refused=newer.refused + self.refused)
        if newer.points == 0:
            return replace(self, refused=self.refused + newer.refused)
        n = self.points + newer.points
        parts = [(self.interval_ms, self.points - 1), (newer.interval_ms, newer.points - 1)]
        if newer.first_ms > self.last_ms:
            parts.append((float(newer.first_ms - self.last_ms), 1))
        parts = [(i, w) for i, w in parts if i > 0 and w > 0]
        interval = sum(i * w for i, w in parts) / sum(w for _, w in parts) if parts else 0.0
        return SeriesStats(
            points=n, first_ms=min(self.first_ms, newer.first_ms), last_ms=max(self.last_ms, newer.last_ms),
            interval_ms=interval, min=float(np.fmin(self.min, newer.min)), max=float(np.fmax(self.max, newer.max)),
            mean=_mean(self, newer),
            below_zero=self.below_zero + newer.below_zero, above_one=self.above_one + newer.above_one,
            above_hundred=self.above_hundred + newer.above_hundred, refused=self.refused + newer.refused,
            finite=(self.points if self.finite is None else self.finite)
            + (newer.points if newer.finite is None else newer.finite),
        )


def _mean(a: SeriesStats, b: SeriesStats) -> float:
    # Weighted by points; a stretch of only non-finite values has no mean and takes no weight.
    parts = [(s.mean, s.points if s.finite is None else s.finite) for s in (a, b) if math.isfinite(s.mean)]
    return sum(m * w for m, w in parts) / sum(w for _, w in parts) if parts else math.nan


#: Up to this many points, statistics are computed in plain Python: a console polling its
#: views gets a few new points per series each time, and a dozen numpy calls per series cost
#: ten times more than the arithmetic.
SMALL = 32


def _small_stats(ts: list[int], values: list[float], refused: int) -> SeriesStats:
    order = sorted(ts)
    gaps = sorted(b - a for a, b in zip(order, order[1:]) if b > a)
    if gaps:
        mid = len(gaps) // 2
        interval = float(gaps[mid]) if len(gaps) % 2 else (gaps[mid - 1] + gaps[mid]) / 2.0
    else:
        interval = 0.0
    finite = [v for v in values if math.isfinite(v)]
    return SeriesStats(
        points=len(ts), first_ms=order[0], last_ms=order[-1], interval_ms=interval,
        min=min(finite) if finite else math.nan, max=max(finite) if finite else math.nan,
        mean=sum(finite) / len(finite) if finite else math.nan,
        below_zero=sum(1 for v in finite if v < 0), above_one=sum(1 for v in finite if v > 1),
        above_hundred=sum(1 for v in finite if v > 100), refused=refused, finite=len(finite),
    )


def stats_of(ts: np.ndarray, values: np.ndarray, refused: int = 0) -> SeriesStats:
    """Statistics of one series' points (``ts`` in ms, any order). Non-finite values are counted
    in ``points`` but left out of min/max/mean."""
    ts = np.asarray(ts, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    n = len(ts)
    if n == 0:
        return SeriesStats(0, 0, 0, refused=refused)
    if n <= SMALL:
        return _small_stats(ts.tolist(), values.tolist(), refused)
    order = np.sort(ts)
    gaps = np.diff(order)
    gaps = gaps[gaps > 0]
    finite = values[np.isfinite(values)]
    return SeriesStats(
        points=n, first_ms=int(order[0]), last_ms=int(order[-1]),
        interval_ms=float(np.median(gaps)) if len(gaps) else 0.0,
        min=float(finite.min()) if len(finite) else math.nan,
        max=float(finite.max()) if len(finite) else math.nan,
        mean=float(finite.mean()) if len(finite) else math.nan,
        below_zero=int((finite < 0).sum()), above_one=int((finite > 1).sum()),
        above_hundred=int((finite > 100).sum()), refused=refused, finite=len(finite),
    )


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the catalogue: a series, what it is, what it did and what is wrong with it."""

    key: SeriesKey
    unit: str
    description: str
    owner: str
    source: str
    stats: SeriesStats
    invalid: int
    flags: frozenset[Flag]
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Feed ms since its last point, measured at the catalogue's ``now_ms``.
    silent_for_ms: int = 0

    @property
    def text(self) -> str:
        """The series' canonical text."""
        return self.key.text

    def matches(self, words: str) -> bool:
        """True if every word of ``words`` (case-insensitive) appears in the series, its unit,
        description, owner, source or flags: the console's find box and ``--grep``."""
        hay = " ".join((self.key.text, self.unit, self.description, *self.descriptions.values(),
                        self.owner, self.source, *(f.value for f in self.flags))).lower()
        return all(w in hay for w in words.lower().split())


@dataclass(frozen=True)
class Catalogue:
    """Every series of one source, judged at ``now_ms`` (the source's newest point)."""

    source: str
    now_ms: int | None
    entries: tuple[CatalogueEntry, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: SeriesKey) -> CatalogueEntry | None:
        """The entry of a series, or None."""
        return next((e for e in self.entries if e.key == key), None)

    def flagged(self, flag: Flag) -> list[CatalogueEntry]:
        """Entries with ``flag``."""
        return [e for e in self.entries if flag in e.flags]

    def search(self, words: str) -> list[CatalogueEntry]:
        """Entries matching every word (all entries for blank text)."""
        return [e for e in self.entries if e.matches(words)] if words.strip() else list(self.entries)

    def counts(self) -> dict[Flag, int]:
        """How many entries carry each flag."""
        return {f: len(self.flagged(f)) for f in Flag}


def judge(stats: SeriesStats, unit: str, now_ms: int | None, *, silent_factor: float = SILENT_FACTOR,
          min_silent_ms: int = MIN_SILENT_MS) -> tuple[frozenset[Flag], int]:
    """(flags, invalid count) of one series' statistics."""
    flags: set[Flag] = set()
    invalid = stats.invalid_for(unit)
    if invalid:
        flags.add(Flag.INVALID)
    if stats.refused:
        flags.add(Flag.REFUSED)
    if now_ms is not None and stats.points:
        allowed = max(silent_factor * stats.interval_ms, min_silent_ms)
        if now_ms - stats.last_ms > allowed:
            flags.add(Flag.SILENT)
    return frozenset(flags), invalid


def build_catalogue(
    stats: Mapping[SeriesKey, SeriesStats],
    *,
    source: str = "",
    infos: Iterable[SeriesInfo] = (),
    topology: Topology | None = None,
    now_ms: int | None = None,
    sources: Mapping[SeriesKey, str] | None = None,
    silent_factor: float = SILENT_FACTOR,
    min_silent_ms: int = MIN_SILENT_MS,
    described: dict[SeriesKey, Described] | None = None,
) -> Catalogue:
    """The catalogue of ``stats``, sorted by series text.

    ``now_ms`` defaults to the newest point of all series. ``sources`` names a per-series
    source where one source carries several (a gateway's Prometheus and Alertmanager);
    ``source`` is the default. ``described`` is a cache of ``describe`` results the caller
    keeps between builds while ``infos`` and ``topology`` stay the same (a console rebuilding
    the catalogue of 10,000 series every few seconds).
    """
    infos = tuple(infos)
    if now_ms is None:
        now_ms = max((s.last_ms for s in stats.values() if s.points), default=None)
    out: list[CatalogueEntry] = []
    for key in sorted(stats, key=lambda k: k.text):
        s = stats[key]
        d = described.get(key) if described is not None else None
        if d is None:
            d = describe(key, infos, topology)
            if described is not None:
                described[key] = d
        flags, invalid = judge(s, d.unit, now_ms, silent_factor=silent_factor, min_silent_ms=min_silent_ms)
        out.append(CatalogueEntry(
            key=key, unit=d.unit, description=d.description, owner=d.owner,
            source=(sources or {}).get(key, source), stats=s, invalid=invalid, flags=flags,
            descriptions=d.descriptions,
            silent_for_ms=max(0, now_ms - s.last_ms) if now_ms is not None and s.points else 0,
        ))
    return Catalogue(source=source, now_ms=now_ms, entries=tuple(out))
