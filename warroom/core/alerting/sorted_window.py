"""The values of a sliding window of a ring, kept sorted: its median and MAD without a sort.

A baseline's recent window slides by one point a second, and its band needs the window's
median and median absolute deviation every second. Partitioning the whole window (about
2,000 floats) twice a second per series was most of the alert engine's time at platform scale
(10,000 series); keeping the window sorted costs two binary searches and two short moves per
step instead, and the MAD is found in the sorted values by a binary search (the deviations
below and above the median are two sorted runs). The results are the same floats a partition
gives: the same elements are picked, and ``|x - c|`` is ``c - x`` or ``x - c`` exactly.

The window is addressed by the ring's absolute sequence numbers ``[a, b)``; the caller hands
a reader of those values and says when they may have changed (``gen``). NaN values are left
out (the level factor's ratios are NaN where there is no profile).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Rebuild (one sort) rather than step when more than this share of the window changed.
REBUILD_SHARE = 0.25


class SortedWindow:
    """The non-NaN values of a ring's window ``[a, b)``, sorted, in a buffer of ``capacity``."""

    def __init__(self, capacity: int) -> None:
        self._buf = np.empty(capacity, np.float64)
        self._n = 0
        self._key: tuple[int, int, int, int] | None = None  # (gen, tag, a, b) the buffer holds

    @property
    def values(self) -> np.ndarray:
        """The sorted values (a view; valid until the next ``move``)."""
        return self._buf[:self._n]

    def move(self, gen: int, tag: int, a: int, b: int, first: int, read: Callable[[int, int], np.ndarray]) -> int:
        """Make the buffer hold the window ``[a, b)`` of generation ``gen`` and kind ``tag``;
        returns how many values it holds. ``read(i, j)`` gives the values of sequence numbers
        ``[i, j)`` for ``i >= first`` (older ones are gone from the ring)."""
        key = self._key
        if key is not None and key[:2] == (gen, tag):
            pa, pb = key[2], key[3]
            if (pa, pb) == (a, b):
                return self._n
            if pa <= a <= pb <= b and pa >= first and (a - pa) + (b - pb) <= REBUILD_SHARE * max(1, b - a):
                self._step(read(pa, a), read(pb, b))
                self._key = (gen, tag, a, b)
                return self._n
        self._rebuild(read(a, b) if b > a else self._buf[:0])
        self._key = (gen, tag, a, b)
        return self._n

    def forget(self) -> None:
        """Drop what the buffer holds (the next ``move`` rebuilds)."""
        self._key = None
        self._n = 0

    def _rebuild(self, values: np.ndarray) -> None:
        v = values[~np.isnan(values)]
        n = v.size
        self._buf[:n] = v
        self._buf[:n].sort()
        self._n = n

    def _step(self, leaving: np.ndarray, entering: np.ndarray) -> None:
        buf = self._buf
        n = self._n
        for x in leaving.tolist():
            if x != x:
                continue  # NaN: never held
            i = int(np.searchsorted(buf[:n], x, "left"))
            buf[i:n - 1] = buf[i + 1:n]
            n -= 1
        for x in entering.tolist():
            if x != x:
                continue
            i = int(np.searchsorted(buf[:n], x, "right"))
            buf[i + 1:n + 1] = buf[i:n]
            buf[i] = x
            n += 1
        self._n = n

    def median(self) -> float:
        """The median of the held values (as ``lo + (hi - lo) / 2`` of the middle two); NaN if none."""
        n = self._n
        if not n:
            return float("nan")
        s = self._buf
        lo, hi = float(s[(n - 1) // 2]), float(s[n // 2])
        return lo + (hi - lo) * 0.5

    def mad(self, centre: float) -> float:
        """The median of ``|x - centre|`` over the held values; NaN if none."""
        n = self._n
        if not n:
            return float("nan")
        s = self._buf[:n]
        p = int(np.searchsorted(s, centre, "right"))  # s[:p] <= centre < s[p:]
        lo = _kth(s, p, centre, (n - 1) // 2)
        hi = lo if n % 2 else _kth(s, p, centre, n // 2)
        return lo + (hi - lo) * 0.5


def _kth(s: np.ndarray, p: int, c: float, k: int) -> float:
    """The ``k``-th smallest (from 0) of ``|x - c|`` over sorted ``s`` split at ``p``: the
    deviations run ascending from ``p - 1`` down (``c - x``) and from ``p`` up (``x - c``); a
    binary search finds how many of the ``k + 1`` smallest come from below."""
    na, nb = p, len(s) - p
    t = k + 1
    lo, hi = max(0, t - nb), min(t, na)
    while lo < hi:
        i = (lo + hi) // 2  # take i from below, t - i from above
        if c - float(s[p - 1 - i]) < float(s[p + t - i - 1]) - c:
            lo = i + 1
        else:
            hi = i
    i, j = lo, t - lo
    a = c - float(s[p - i]) if i else -np.inf
    b = float(s[p + j - 1]) - c if j else -np.inf
    return float(max(a, b))
