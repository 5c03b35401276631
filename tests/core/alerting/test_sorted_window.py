"""SortedWindow gives the same medians as a partition of the window, while it slides."""

import numpy as np
import pytest

from warroom.core.alerting.sorted_window import SortedWindow


def _partition_median(v: np.ndarray) -> float:
    s = v.copy()
    n = s.size
    s.partition(((n - 1) // 2, n // 2))
    lo, hi = float(s[(n - 1) // 2]), float(s[n // 2])
    return lo + (hi - lo) * 0.5


@pytest.mark.parametrize("kind", ["normal", "ties", "rounded", "huge"])
def test_median_and_mad_equal_a_partition_bit_for_bit(kind):
    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(1, 80))
        v = {"normal": rng.normal(size=n), "ties": rng.integers(0, 4, n).astype(float),
             "rounded": np.round(rng.normal(size=n), 1), "huge": rng.normal(size=n) * 1e300}[kind]
        w = SortedWindow(100)
        assert w.move(0, 0, 0, n, 0, lambda i, j: v[i:j]) == n
        assert w.median() == _partition_median(v)
        for centre in (w.median(), float(v[0]), float(rng.normal())):
            with np.errstate(over="ignore"):
                assert w.mad(centre) == _partition_median(np.abs(v - centre))


def test_sliding_keeps_exactly_the_windows_values_without_nan():
    rng = np.random.default_rng(3)
    ring = rng.normal(size=6000)
    ring[rng.integers(0, ring.size, 300)] = np.nan
    w = SortedWindow(400)
    a = 0
    for step in range(3000):
        a += int(rng.integers(0, 3))
        b = a + int(rng.integers(250, 300))
        w.move(0, 1, a, b, max(0, a - 4), lambda i, j: ring[i:j])
        x = ring[a:b]
        assert np.array_equal(w.values, np.sort(x[~np.isnan(x)])), step


def test_a_new_generation_or_kind_is_read_again():
    first, second = np.arange(10.0), np.arange(10.0) * 10
    w = SortedWindow(16)
    w.move(0, 0, 0, 10, 0, lambda i, j: first[i:j])
    w.move(1, 0, 0, 10, 0, lambda i, j: second[i:j])  # same range, values changed under it
    assert w.median() == 45.0
    w.move(1, 1, 0, 10, 0, lambda i, j: first[i:j])
    assert w.median() == 4.5


def test_an_empty_window_has_no_median():
    w = SortedWindow(4)
    w.move(0, 0, 3, 3, 0, lambda i, j: np.empty(0))
    assert np.isnan(w.median()) and np.isnan(w.mad(0.0))
