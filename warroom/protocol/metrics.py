"""Metric batches on the wire: series tables and vectorised point validation.

Two ways to name the series of a batch's points (see docs/protocol.md):

* ``"series": [...]`` — frame-local: ``s`` indexes this list. Simple producers use it.
* ``"defs": [{"id": .., "name": .., "labels": ..}]`` — connection-scoped ids: a series
  is described once per connection and later frames send only its id. Our server uses
  it, because repeating 250 series names in every frame would cost more than the points.

``MetricsState`` is the receiving side (one per ``Decoder``): it resolves series,
validates the point columns in bulk and remembers the newest timestamp per series to
catch duplicates and out-of-order points. ``SeriesTable`` is the sending side.

**Points ahead of the feed clock.** A point later than the feed's now plus ``ahead_slack_ms``
(one wall second of feed time: ``speed`` × 1,000 ms, see ``AHEAD_SLACK_WALL_MS``) but inside the
future tolerance is accepted without raising its series' order mark, so the series' next normal
points are not refused as ``out_of_order`` while the feed clock catches up with it. It is kept
in a per-series set until the clock has passed it by the slack, then folded into the mark; until
then a point with the same series and timestamp is refused as ``duplicate_point``. At most
``MAX_AHEAD_POINTS`` are held; past that a point ahead raises the mark as any other. The slack
covers the ordinary lead of points over the client's estimate (network latency × speed); a
point within it raises the mark at once, as before.

A series whose points arrive older than one accepted ahead of them is therefore not in time
order downstream: the receiver must sort, or tolerate it.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.errors import ErrorCode, ProtocolError
from warroom.protocol.messages import MetricBatch
from warroom.protocol.parse import MAX_TS_MS, MIN_TS_MS, BadMessage
from warroom.protocol.strings import REF_MAX, name

#: Connection-scoped series ids live in [0, MAX_SERIES_ID): bounds memory against a bad feed.
MAX_SERIES_ID = 1 << 20
#: Points ahead of the feed clock by more than this much *wall* time (× speed) do not raise their series' mark.
AHEAD_SLACK_WALL_MS = 1000
#: How many accepted points ahead of the clock are remembered, over all series (bounds memory).
MAX_AHEAD_POINTS = 100_000
_NEVER = np.iinfo(np.int64).min
BAD_INT = np.iinfo(np.int64).min


class MetricsState:
    """Receiving-side state for metric batches: series names and per-series order."""

    def __init__(self, future_tolerance_ms: int) -> None:
        self.future_tolerance_ms = future_tolerance_ms
        #: Feed ms beyond the clock from which a point counts as ahead (``set_speed`` sets it).
        self.ahead_slack_ms = AHEAD_SLACK_WALL_MS
        self._key_cache: dict[tuple[str, tuple[tuple[str, str], ...]], SeriesKey] = {}
        self._gid: dict[SeriesKey, int] = {}
        self._gid_keys: list[SeriesKey] = []
        self._last_ts = np.full(256, _NEVER, dtype=np.int64)
        self._conn_gid = np.full(0, -1, dtype=np.int64)  # connection id -> global id
        self._last_used: np.ndarray | None = None
        self._last_series: tuple[SeriesKey, ...] = ()
        self._last_gids: np.ndarray | None = None
        self._last_index = np.empty(0, dtype=np.int32)
        # Points accepted ahead of the clock: per series, their timestamps; and a heap of
        # (ts, gid) to fold them into the marks once the clock has passed them.
        self._ahead: dict[int, set[int]] = {}
        self._ahead_heap: list[tuple[int, int]] = []
        self._has_ahead = np.zeros(256, dtype=bool)
        # Layouts of the ``s`` columns seen on this connection (see ``_Layout``): valid while
        # the connection's ids mean what they meant when the layout was built.
        self._layouts: dict[tuple[int, bytes], _Layout | None] = {}
        self._seen_once: set[tuple[int, bytes]] = set()

    def new_connection(self) -> None:
        """Connection-scoped ids die with their connection; per-series order survives."""
        self._conn_gid = np.full(0, -1, dtype=np.int64)
        self._forget_layouts()

    def _forget_layouts(self) -> None:
        self._layouts.clear()
        self._seen_once.clear()

    def set_speed(self, speed: float) -> None:
        """The feed's speed (from its hello): sets ``ahead_slack_ms`` to one wall second of feed time."""
        self.ahead_slack_ms = max(1, int(min(speed, 1e9) * AHEAD_SLACK_WALL_MS))

    def forget_times(self) -> None:
        """Forget every series' newest timestamp and the points held ahead (a feed clock reset)."""
        self._last_ts[:] = _NEVER
        self._ahead.clear()
        self._ahead_heap.clear()
        self._has_ahead[:] = False

    def newest_mark(self) -> int | None:
        """The newest order mark over all series (points ahead of the clock not counted), or None."""
        n = len(self._gid_keys)
        newest = int(self._last_ts[:n].max()) if n else _NEVER
        return None if newest == _NEVER else newest

    def last_ts(self, key: SeriesKey) -> int | None:
        """Newest accepted timestamp of a series, or None."""
        gid = self._gid.get(key)
        if gid is None:
            return None
        newest = max(self._ahead.get(gid, ()), default=_NEVER)
        newest = max(newest, int(self._last_ts[gid]))
        return None if newest == _NEVER else newest

    # -- series ----------------------------------------------------------------------
    def key(self, item: Any) -> SeriesKey:
        """A ``{"name", "labels"}`` object as a SeriesKey (cached); BadMessage/ValueError if bad."""
        if not isinstance(item, dict):
            raise BadMessage(ErrorCode.BAD_FIELD, "series entries must be objects")
        metric = item.get("name")
        labels = item.get("labels") or {}
        if not isinstance(metric, str) or not isinstance(labels, dict):
            raise BadMessage(ErrorCode.BAD_FIELD, "series entries need a string name and a labels object")
        cache_key = (metric, tuple(sorted(labels.items())))
        key = self._key_cache.get(cache_key)
        if key is None:
            key = _checked_key(SeriesKey(metric, labels))  # checked once: only good keys are cached
            if len(self._key_cache) < 1_000_000:  # bounded against a feed inventing series
                self._key_cache[cache_key] = key
        return key

    def _global_id(self, key: SeriesKey) -> int:
        gid = self._gid.get(key)
        if gid is None:
            gid = self._gid[key] = len(self._gid_keys)
            self._gid_keys.append(key)
            if gid >= len(self._last_ts):
                grown = np.full(len(self._last_ts) * 2, _NEVER, dtype=np.int64)
                grown[: len(self._last_ts)] = self._last_ts
                self._last_ts = grown
                flags = np.zeros(len(grown), dtype=bool)
                flags[: len(self._has_ahead)] = self._has_ahead
                self._has_ahead = flags
        return gid

    def frame_series(self, items: list[Any], errors: list[ProtocolError]) -> np.ndarray:
        """Global ids of a frame-local ``series`` list; -1 for refused entries (reported)."""
        out = np.full(len(items), -1, dtype=np.int64)
        for i, item in enumerate(items):
            try:
                out[i] = self._global_id(self.key(item))
            except (BadMessage, ValueError, TypeError) as exc:  # TypeError: unhashable label value
                errors.append(_item_error(exc, f"series[{i}]"))
        return out

    def define(self, defs: list[Any], errors: list[ProtocolError]) -> None:
        """Record connection-scoped ids from a ``defs`` list; bad entries are reported and skipped."""
        if defs:
            self._forget_layouts()  # an id may now name another series
        for i, item in enumerate(defs):
            try:
                sid = item.get("id") if isinstance(item, dict) else None
                if type(sid) is not int or not 0 <= sid < MAX_SERIES_ID:
                    raise BadMessage(ErrorCode.BAD_FIELD, f"id must be an integer in [0, {MAX_SERIES_ID})")
                gid = self._global_id(self.key(item))
            except (BadMessage, ValueError, TypeError) as exc:
                errors.append(_item_error(exc, f"defs[{i}]"))
                if type(sid) is int and 0 <= sid < len(self._conn_gid):
                    self._conn_gid[sid] = -1  # a refused redefinition must not leave the old series bound
                continue
            if sid >= len(self._conn_gid):
                grown = np.full(max(sid + 1, 2 * len(self._conn_gid), 64), -1, dtype=np.int64)
                grown[: len(self._conn_gid)] = self._conn_gid
                self._conn_gid = grown
            self._conn_gid[sid] = gid

    def connection_series(self) -> np.ndarray:
        """Connection id -> global id (-1 where undefined)."""
        return self._conn_gid

    # -- points ----------------------------------------------------------------------
    def accept(
        self,
        table: np.ndarray,
        s: np.ndarray,
        ts: np.ndarray,
        vals: np.ndarray,
        *,
        s_ok: np.ndarray | None,
        v_not_number: np.ndarray | None,
        local: bool,
        now_ms: int,
        sent_at: int | None,
        errors: list[ProtocolError],
    ) -> MetricBatch:
        """Validate point columns and keep the good points.

        ``table`` maps the values of ``s`` to global series ids (-1: refused or unknown);
        ``s_ok``/``v_not_number`` flag entries that were not integers / not numbers (None:
        every entry was, as in a binary frame); ``local`` says ``table`` came from a
        frame-local list whose refusals are reported.
        """
        if self._ahead_heap and self._ahead_heap[0][0] <= now_ms - self.ahead_slack_ms:
            self._settle(now_ms - self.ahead_slack_ms)
        # Python ints: now_ms may be anything the caller's clock says; the bound fits int64.
        limit = max(MIN_TS_MS, min(now_ms + self.future_tolerance_ms, MAX_TS_MS))
        near = max(MIN_TS_MS, min(now_ms + self.ahead_slack_ms, limit))
        n = len(ts)
        if n and not local and (s_ok is None or s_ok.all()) and (v_not_number is None or not v_not_number.any()):
            layout = self._layout(table, s)
            newest = None if layout is None else self._accept_layout(layout, ts, vals, near)
            if newest is not None:
                return MetricBatch(layout.series, layout.index, ts, vals, sent_at).know_newest(newest)
        if s_ok is None:
            s_ok = np.ones(n, dtype=bool)
        if v_not_number is None:
            v_not_number = np.zeros(n, dtype=bool)
        fast = self._accept_clean(table, s, ts, vals, s_ok, v_not_number, near)
        if fast is not None:
            gids = fast
            return self._batch(gids, ts, vals, sent_at, np.arange(len(ts)))
        s = s.astype(np.int64, copy=False)
        in_range = s_ok & (s >= 0) & (s < len(table)) & (ts != BAD_INT)
        gids = np.full(n, -1, dtype=np.int64)
        gids[in_range] = table[s[in_range]]
        bad_ref = ~in_range | (ts == BAD_INT)
        if bad_ref.any():
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, "points with a bad series index or timestamp", int(bad_ref.sum())))
        undefined = ~bad_ref & (gids < 0)
        if undefined.any() and not local:
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, "points of a series that was never defined", int(undefined.sum())))
        keep = gids >= 0  # points of refused series go with them (already reported)

        typed = keep & v_not_number
        bad_value = keep & ~v_not_number & ~np.isfinite(vals)
        if typed.any():
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, "point values that are not numbers", int(typed.sum())))
        if bad_value.any():
            errors.append(ProtocolError(ErrorCode.NON_FINITE, "NaN, Infinity or null values", int(bad_value.sum())))
        keep &= ~bad_value & ~typed

        old = keep & (ts < MIN_TS_MS)
        if old.any():
            errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, "timestamps before 2000 (seconds sent as ms?)", int(old.sum())))
        huge = keep & (ts > MAX_TS_MS)
        if huge.any():
            errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, "timestamps after 9999-12-31", int(huge.sum())))
        future = keep & ~huge & (ts > limit)
        if future.any():
            ahead = int(ts[future].max()) - now_ms
            errors.append(ProtocolError(ErrorCode.FUTURE_TIMESTAMP, f"timestamps up to {ahead} ms in the future", int(future.sum())))
        keep &= ~old & ~huge & ~future

        if keep.any():
            keep_idx = np.flatnonzero(keep)
            order = keep_idx[np.lexsort((ts[keep_idx], gids[keep_idx]))]
            g_sorted, t_sorted = gids[order], ts[order]
            prior = self._last_ts[g_sorted]
            dup = t_sorted == prior
            dup[1:] |= (g_sorted[1:] == g_sorted[:-1]) & (t_sorted[1:] == t_sorted[:-1])
            if self._ahead:
                held = np.flatnonzero(self._has_ahead[g_sorted])
                for j in held.tolist():
                    dup[j] |= int(t_sorted[j]) in self._ahead[int(g_sorted[j])]
            late = (t_sorted < prior) & ~dup  # each point is counted once
            if dup.any():
                errors.append(ProtocolError(ErrorCode.DUPLICATE_POINT, "points already received", int(dup.sum())))
            if late.any():
                errors.append(ProtocolError(ErrorCode.OUT_OF_ORDER, "points older than the newest of their series", int(late.sum())))
            accepted = order[~(dup | late)]
            far = ts[accepted] > near
            if far.any():
                accepted_near = self._hold_ahead(gids, ts, accepted, far)
            else:
                accepted_near = accepted
            np.maximum.at(self._last_ts, gids[accepted_near], ts[accepted_near])
            keep = np.zeros(n, dtype=bool)
            keep[accepted] = True

        return self._batch(gids, ts, vals, sent_at, np.flatnonzero(keep))

    def accept_frames(
        self, table: np.ndarray, s: np.ndarray, ts: np.ndarray, vals: np.ndarray, frames: int, *,
        now_ms: int, sent_at: int | None,
    ) -> MetricBatch | None:
        """Several frames at once, each with the ``s`` column ``s`` (connection ids, as in
        ``table``), their times and values joined in ``ts``/``vals``: one batch, when the
        column is a known layout of k scrapes and every point is acceptable, else None and
        nothing changed (decode the frames one by one: that path says what is wrong).

        A feed whose frames arrive faster than they are read leaves several in the socket
        at once; checking them as one (k x frames, m) grid costs one frame's numpy calls.
        """
        if self._ahead_heap and self._ahead_heap[0][0] <= now_ms - self.ahead_slack_ms:
            self._settle(now_ms - self.ahead_slack_ms)
        limit = max(MIN_TS_MS, min(now_ms + self.future_tolerance_ms, MAX_TS_MS))
        near = max(MIN_TS_MS, min(now_ms + self.ahead_slack_ms, limit))
        layout = self._layout(table, s)
        if layout is None or not layout.ticks or len(ts) != frames * len(s):
            return None
        newest = self._accept_layout(layout, ts, vals, near, ticks=layout.ticks * frames)
        if newest is None:
            return None
        return MetricBatch(layout.series, layout.repeated_index(frames), ts, vals, sent_at).know_newest(newest)

    def _hold_ahead(self, gids: np.ndarray, ts: np.ndarray, accepted: np.ndarray, far: np.ndarray) -> np.ndarray:
        """Remember the accepted points ahead of the clock (``far``) instead of raising their
        series' marks; returns the accepted points that raise the marks now."""
        room = MAX_AHEAD_POINTS - len(self._ahead_heap)
        held = accepted[far][: max(0, room)]  # past the bound, a point ahead raises its mark
        for g, t in zip(gids[held].tolist(), ts[held].tolist()):
            self._ahead.setdefault(g, set()).add(t)
            heapq.heappush(self._ahead_heap, (t, g))
            self._has_ahead[g] = True
        return np.setdiff1d(accepted, held, assume_unique=True)

    def _settle(self, until_ms: int) -> None:
        """Fold the points held ahead up to ``until_ms`` into their series' marks."""
        heap = self._ahead_heap
        while heap and heap[0][0] <= until_ms:
            t, g = heapq.heappop(heap)
            held = self._ahead.get(g)
            if held is None or t not in held:
                continue
            held.discard(t)
            if t > self._last_ts[g]:
                self._last_ts[g] = t
            if not held:
                del self._ahead[g]
                self._has_ahead[g] = False

    def _layout(self, table: np.ndarray, s: np.ndarray) -> _Layout | None:
        """The cached layout of this ``s`` column, built the second time it is seen; None when
        it is new, or names an id this connection has not defined (the careful path reports it)."""
        if len(s) > _MAX_LAYOUT_POINTS:
            return None  # big frames: the per-point work outweighs the per-frame work anyway
        key = (s.itemsize, s.tobytes())  # the width too: int32 [1, 0] and int64 [1] share bytes
        layout = self._layouts.get(key)
        if layout is not None or key in self._layouts:
            return layout
        if key not in self._seen_once:
            # One-off layouts (a feed whose frames never repeat) cost only this lookup.
            if len(self._seen_once) >= _MAX_LAYOUTS:
                self._seen_once.clear()
            self._seen_once.add(key)
            return None
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._layouts.clear()  # bounded against a feed whose frames keep changing shape
        s = s.astype(np.int64, copy=False)
        if s.min() < 0 or s.max() >= len(table) or table[s].min() < 0:
            layout = None  # remembered as None until the ids change (defs forget the cache)
        else:
            layout = _Layout.build(table[s], self)
        self._layouts[key] = layout
        return layout

    def _accept_layout(
        self, layout: _Layout, ts: np.ndarray, vals: np.ndarray, near_ms: int, ticks: int = 0,
    ) -> int | None:
        """The healthy feed's case for a known layout: the newest point's time (and the marks
        raised) if every point is acceptable and none is ahead of ``near_ms``; else None and
        nothing changed. ``ticks`` (for a layout of scrapes): how many scrapes ``ts`` holds,
        when it joins several frames' (default: one frame's, ``layout.ticks``).

        Each series' points are then strictly increasing in time and newer than its mark: no
        point is a duplicate or out of order, exactly as the careful path would find.
        """
        if not np.isfinite(vals).all():
            return None
        if layout.ticks:
            # k scrapes of the same series in the same order: a (k, m) view, no gathers.
            ticks = ticks or layout.ticks
            grid = ts.reshape(ticks, -1)
            first, last, marks = grid[0], grid[-1], layout.row_gids
            if ticks > 1 and not (grid[1:] > grid[:-1]).all():
                return None
        else:
            first, last, marks = ts[layout.first], ts[layout.last], layout.used
            if len(layout.later) and (ts[layout.later] <= ts[layout.prev]).any():
                return None
        if first.min() < MIN_TS_MS or not (first > self._last_ts[marks]).all():
            return None
        # With each series strictly increasing, its last point is its newest.
        newest = int(last.max())
        if newest > near_ms:
            return None
        if self._ahead and self._has_ahead[marks].any():
            return None
        self._last_ts[marks] = last
        return newest

    def _accept_clean(self, table, s, ts, vals, s_ok, v_not_number, near_ms) -> np.ndarray | None:
        """The healthy feed's case in a few vectorised checks, without sorting: global ids if
        every point of the frame is acceptable and none is ahead of ``near_ms``, else None (the
        careful path then sorts out what is wrong and reports it)."""
        n = len(ts)
        if not n or not s_ok.all() or v_not_number.any():
            return None
        if s.min() < 0 or s.max() >= len(table):
            return None
        gids = table[s]
        if gids.min() < 0 or not np.isfinite(vals).all():
            return None
        tmin, tmax = ts.min(), ts.max()
        if tmin < MIN_TS_MS or tmax > near_ms:
            return None
        if (ts <= self._last_ts[gids]).any():
            return None
        if self._ahead and self._has_ahead[gids].any():
            return None
        if tmin == tmax:  # one scrape: duplicates are repeated ids
            if np.bincount(gids).max() > 1:
                return None
            self._last_ts[gids] = ts
            return gids
        # Several scrapes in time order (how feeds coalesce): each id at most once per scrape.
        step = np.diff(ts)
        if (step < 0).any():
            return None
        run = np.concatenate(([0], np.cumsum(step > 0)))
        width = int(gids.max()) + 1
        if (int(run[-1]) + 1) * width > 8 * n + 65_536:
            return None  # sparse ids: let the sorting path check
        if np.bincount(run * width + gids).max() > 1:
            return None
        np.maximum.at(self._last_ts, gids, ts)
        return gids

    def _batch(self, gids: np.ndarray, ts: np.ndarray, vals: np.ndarray, sent_at: int | None, sel: np.ndarray) -> MetricBatch:
        """The accepted points ``sel`` as a batch that names only the series it uses."""
        g = gids[sel]
        if self._last_gids is not None and np.array_equal(g, self._last_gids):
            series, index = self._last_series, self._last_index  # same layout as the last frame
        else:
            used, index = np.unique(g, return_inverse=True)
            index = index.astype(np.int32)
            if self._last_used is not None and np.array_equal(used, self._last_used):
                series = self._last_series  # share the tuple: caches downstream key on it
            else:
                series = tuple(self._gid_keys[i] for i in used.tolist())
            self._last_used, self._last_series = used, series
            self._last_gids, self._last_index = g, index
        return MetricBatch(series, index, ts[sel], vals[sel], sent_at)


#: Distinct ``s`` layouts remembered per connection (a feed's frames repeat a few shapes), and
#: the biggest frame that gets one: together they bound the cache's memory (~30 MB at worst).
_MAX_LAYOUTS = 32
_MAX_LAYOUT_POINTS = 16_384


class _Layout:
    """What a frame's ``s`` column implies, computed once per distinct column on a connection.

    A feed sends the same series in the same order frame after frame (a scrape is a scrape);
    knowing the layout, a frame is checked with a few gathers instead of a sort.
    ``used``: global ids of the series, ascending; ``series``/``index``: the batch's fields
    (``index`` read-only, shared by every batch of the layout); ``first``/``last``: position
    of each used series' first and last point; ``later``/``prev``: every other point and the
    previous point of its series. ``ticks``: k when the frame is k scrapes naming the same
    series once each in the same order (``row_gids``, one scrape's global ids), else 0: such a
    frame is checked as a (k, m) grid without gathers.
    """

    __slots__ = ("first", "index", "last", "later", "prev", "repeats", "row_gids", "series", "ticks", "used")

    @classmethod
    def build(cls, gids: np.ndarray, state: MetricsState) -> _Layout:
        """The layout of points whose global series ids are ``gids``."""
        self = cls()
        self.repeats = {}
        used, index = np.unique(gids, return_inverse=True)
        if state._last_used is not None and np.array_equal(used, state._last_used):
            series = state._last_series  # share the tuple: caches downstream key on it
        else:
            series = tuple(state._gid_keys[i] for i in used.tolist())
        self.used, self.series = used, series
        self.index = index.astype(np.int32)
        self.index.flags.writeable = False
        order = np.argsort(self.index, kind="stable")  # grouped by series, arrival order within
        grouped = self.index[order]
        same = grouped[1:] == grouped[:-1]
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        self.first = order[starts]
        self.last = order[np.concatenate((starts[1:] - 1, [len(order) - 1]))]
        self.later, self.prev = order[1:][same], order[:-1][same]
        # The common shape: k scrapes, each naming the same m series once, in the same order.
        self.ticks, self.row_gids = 0, used
        m = len(used)
        if m and len(gids) % m == 0 and len(gids) > 0:
            row = gids[:m]
            if np.array_equal(gids.reshape(-1, m), np.broadcast_to(row, (len(gids) // m, m))):
                self.ticks, self.row_gids = len(gids) // m, row.copy()
        return self

    def repeated_index(self, frames: int) -> np.ndarray:
        """``index`` repeated for ``frames`` frames: read-only and one object per count, as the
        store checks an index once per object."""
        index = self.repeats.get(frames)
        if index is None:
            if len(self.repeats) >= 8:
                self.repeats.clear()  # bounded: a group holds at most a few dozen frames
            index = self.repeats[frames] = np.tile(self.index, frames)
            index.flags.writeable = False
        return index


def _checked_key(key: SeriesKey) -> SeriesKey:
    """``key`` if its names and label values pass the text policy; else ``BadMessage(bad_text)``."""
    name(key.name, "name")
    for k, v in key.labels.items():
        name(k, "label name")
        name(v, f"label {k}", REF_MAX)
    return key


def _item_error(exc: Exception, what: str) -> ProtocolError:
    """The error of a refused series or defs entry: its own code if it has one, else ``bad_field``."""
    if isinstance(exc, BadMessage):
        return ProtocolError(exc.error.code, f"{what}: {exc.error.message}")
    return ProtocolError(ErrorCode.BAD_FIELD, f"{what}: {exc}")


class SeriesTable:
    """Sending side of connection-scoped ids: gives each series an id the first time it is sent.

    Ids are stable for the table's life; a server keeps one table for all its
    connections and sends every new client the full list before any batch.
    """

    def __init__(self) -> None:
        self._ids: dict[SeriesKey, int] = {}
        self._keys: list[SeriesKey] = []
        self._last_series: tuple[SeriesKey, ...] | None = None
        self._last_ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def ids(self, series: tuple[SeriesKey, ...]) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """Ids for a batch's ``series`` and the ``defs`` of those never sent before."""
        if series is self._last_series and self._last_ids is not None:
            return self._last_ids, []  # the simulator reuses one tuple for every tick
        new: list[dict[str, Any]] = []
        out = np.empty(len(series), dtype=np.int32)
        for i, key in enumerate(series):
            sid = self._ids.get(key)
            if sid is None:
                sid = self._ids[key] = len(self._keys)
                self._keys.append(key)
                new.append(definition(sid, key))
            out[i] = sid
        self._last_series, self._last_ids = series, out
        return out, new

    def all_defs(self) -> list[dict[str, Any]]:
        """Every definition so far, for a client that just subscribed."""
        return [definition(i, k) for i, k in enumerate(self._keys)]


def definition(sid: int, key: SeriesKey) -> dict[str, Any]:
    """The ``defs`` entry of one series."""
    return {"id": sid, "name": key.name, "labels": dict(key.labels)}
