"""The allocator tuning for bulk writes: applied once, on glibc, with the documented thresholds."""

from __future__ import annotations

import ctypes

from warroom.store import allocator


def test_it_sets_glibcs_thresholds_once(monkeypatch):
    calls = []

    class FakeLibc:
        def mallopt(self, option, value):
            calls.append((option, value))
            return 1

    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    assert allocator.tune_for_bulk_writes()
    assert allocator.tune_for_bulk_writes()  # the second call does nothing
    assert calls == [(-3, 32 * 1024 * 1024), (-1, 64 * 1024 * 1024)]


def test_without_mallopt_nothing_happens(monkeypatch):
    class NoMallopt:
        pass

    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(ctypes, "CDLL", lambda name: NoMallopt())
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    assert not allocator.tune_for_bulk_writes()


def test_the_real_call_is_accepted_here():
    allocator._done = False
    assert allocator.tune_for_bulk_writes()  # this machine's libc is glibc (Debian)
