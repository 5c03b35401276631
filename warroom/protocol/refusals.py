"""Which series the refused points of a metrics frame belonged to.

The decoder counts refusals by reason for the whole feed (``ErrorStats``); the series catalogue
also wants them per series, to flag the one series whose producer sends NaN or seconds for
milliseconds. That is worked out here, after the fact and only for a frame whose decoding
reported errors: its points per series (read again from the frame) minus the points the decoder
kept per series. Nothing of it runs for a clean frame.

Only series the frame itself names can be counted: a frame-local ``series`` list (JSON or
binary). Points that refer to connection-scoped ``defs`` ids defined in earlier frames, and
frames that could not be read at all, stay feed-level counts.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.binary import BinaryFrameError, is_binary_frame, unpack_frame
from warroom.protocol.errors import ErrorCode
from warroom.protocol.messages import MetricBatch

#: Error codes that refuse points (the others are about whole frames, sequence or text).
POINT_CODES = frozenset({
    ErrorCode.BAD_FIELD, ErrorCode.NON_FINITE, ErrorCode.FUTURE_TIMESTAMP, ErrorCode.BAD_TIMESTAMP,
    ErrorCode.DUPLICATE_POINT, ErrorCode.OUT_OF_ORDER,
})
#: A frame-local series list longer than this is not attributed (bounds the work on hostile input).
MAX_SERIES = 10_000
#: Most series a ``RefusalCounts`` remembers (a feed naming a new series in every bad frame).
MAX_COUNTED = 10_000
#: Most frames attributed per wall second: a feed whose every frame has a bad point would
#: otherwise have each of its frames read twice. Past it, refusals stay counted for the feed only.
MAX_FRAMES_PER_S = 20


def _frame_points(frame: bytes | str) -> tuple[list[Any], np.ndarray] | None:
    """(the frame-local series list, the ``s`` column) of a metrics frame, or None."""
    if is_binary_frame(frame):
        try:
            header, s, _t, _v = unpack_frame(frame)
        except BinaryFrameError:
            return None
        series = header.get("series")
        return (series, np.asarray(s, dtype=np.int64)) if isinstance(series, list) else None
    try:
        body = json.loads(frame)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(body, dict) or body.get("type") != "metrics" or not isinstance(body.get("series"), list):
        return None
    points = body.get("points")
    s = points.get("s") if isinstance(points, dict) else None
    if not isinstance(s, list):
        return None
    ints = np.array([x if type(x) is int else -1 for x in s], dtype=np.int64)
    return body["series"], ints


def _key(item: Any) -> SeriesKey | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    labels = item.get("labels") or {}
    if not isinstance(labels, dict):
        return None
    try:
        return SeriesKey(item["name"], labels)
    except (ValueError, TypeError):
        return None  # a series refused for its name: no series to count the points on


def refused_by_series(frame: bytes | str, errors: list, message: Any) -> dict[SeriesKey, int]:
    """Points of ``frame`` refused per series, given what the decoder made of it (``errors``,
    ``message``); ``{}`` when it refused none or cannot say whose they were."""
    if not any(getattr(e, "code", None) in POINT_CODES for e in errors):
        return {}
    read = _frame_points(frame)
    if read is None:
        return {}
    series, s = read
    if not series or len(series) > MAX_SERIES:
        return {}
    s = s[(s >= 0) & (s < len(series))]
    sent = np.bincount(s, minlength=len(series))
    kept: dict[SeriesKey, int] = {}
    if isinstance(message, MetricBatch) and len(message):
        counts = np.bincount(message.index, minlength=len(message.series))
        for key, n in zip(message.series, counts.tolist()):
            if n:
                kept[key] = kept.get(key, 0) + n
    out: dict[SeriesKey, int] = {}
    for i in np.flatnonzero(sent).tolist():
        key = _key(series[i])
        if key is None:
            continue
        out[key] = out.get(key, 0) + int(sent[i])
    for key in list(out):
        refused = out[key] - kept.get(key, 0)
        if refused > 0:
            out[key] = refused
        else:
            del out[key]
    return out


class RefusalCounts:
    """Refused points per series, as a client attributes them (``FeedClient.refusals``).

    Bounded: at most ``MAX_COUNTED`` series, and at most ``MAX_FRAMES_PER_S`` frames read again
    per wall second (``admit``); ``skipped_frames`` counts the frames past that.
    """

    def __init__(self, max_series: int = MAX_COUNTED, max_frames_per_s: int = MAX_FRAMES_PER_S) -> None:
        self.max_series = max_series
        self.max_frames_per_s = max_frames_per_s
        self.skipped_frames = 0
        self._counts: dict[SeriesKey, int] = {}
        self._second = -1
        self._frames = 0

    def admit(self, now_s: float) -> bool:
        """Whether a frame with refusals may be read again now (``now_s``: a monotonic clock)."""
        second = int(now_s)
        if second != self._second:
            self._second, self._frames = second, 0
        if self._frames >= self.max_frames_per_s:
            self.skipped_frames += 1
            return False
        self._frames += 1
        return True

    def add(self, counts: dict[SeriesKey, int]) -> None:
        """Count refused points per series (a series past the bound is not counted)."""
        for key, n in counts.items():
            if key in self._counts or len(self._counts) < self.max_series:
                self._counts[key] = self._counts.get(key, 0) + int(n)

    def as_dict(self) -> dict[SeriesKey, int]:
        """The counts so far (a copy)."""
        return dict(self._counts)

    def top(self, n: int) -> dict[SeriesKey, int]:
        """The ``n`` series with the most refused points."""
        return dict(sorted(self._counts.items(), key=lambda kv: (-kv[1], kv[0].text))[:n])

    def __len__(self) -> int:
        return len(self._counts)
