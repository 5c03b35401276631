"""The live inspector: the raw points and frames of a feed as they arrive, errors inline.

For checking a new feed or a new metric: pick what to watch (everything, one series, one
service, one metric name), and the inspector keeps, in bounded buffers, every frame the
client received (its size, type, point count, the protocol errors it caused and its text)
and a stream of rows: each watched point as decoded, each protocol error, each event about
the watched service. Pause freezes what is shown while counting what arrives meanwhile;
filter keeps the rows whose text contains a string; copy gives them as tab-separated text.

Cost: the inspector observes the client through its ``tap`` (``FeedClient.tap``), set only
while at least one viewer is open (``open()``/``close()``): with none, the client does no
work for it at all. While open, a frame costs one look at its series tuple (cached per
tuple: the decoder hands every batch of one layout the same tuple) and a numpy selection of
the watched points; the buffers never grow past their bounds, whatever the feed sends.

GUI-free: the Qt panel (``warroom.ui.panels.inspector``) reads ``rows()`` and ``frames()``.
"""

from __future__ import annotations

import functools
import json
import struct
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import numpy as np

from warroom.core.clock import wall_ms
from warroom.core.model import SeriesKey
from warroom.protocol import DecodeResult, Events, MetricBatch, ProtocolError, ServerError
from warroom.protocol.binary import is_binary_frame

#: Labels that name the service a series is about (a service's own series; an edge's two ends).
SERVICE_LABELS = ("service", "caller", "callee")
#: How many stream rows (points, errors, events) and frames are kept; older ones are dropped.
MAX_ROWS = 4000
MAX_FRAMES = 400
#: Characters of a text frame kept for display and copy (the rest is counted, not kept).
RAW_KEEP = 16 * 1024
#: Points of a binary frame written out as text under its header.
BINARY_POINTS_SHOWN = 50
#: The binary frame's layout (docs/protocol.md, warroom.protocol.binary): magic and header
#: length, then the header, then 4 + 8 + 8 bytes per point in three columns.
_PREAMBLE = struct.Struct("<4sI")
_POINT_BYTES = 20
#: At most this many points of one frame become rows (a 100k-point frame while watching
#: everything would otherwise push every other row out at once); the rest are counted.
MAX_POINT_ROWS_PER_FRAME = 1000


class WatchError(ValueError):
    """The text does not name something to watch."""


@dataclass(frozen=True)
class Watch:
    """What the inspector watches: ``all``, one ``series`` (its canonical text), one
    ``service`` (series labelled with it, events about it) or one ``metric`` name."""

    kind: str = "all"
    value: str = ""

    KINDS = ("all", "series", "service", "metric")

    @classmethod
    def parse(cls, text: str) -> "Watch":
        """From what a person types: ``""``/``*`` (all), ``service:trade``, ``metric:service_tps``,
        or a series ``service_tps{service="trade"}`` (a bare name is a metric). Raises ``WatchError``."""
        text = text.strip()
        if text in ("", "*"):
            return cls()
        kind, sep, rest = text.partition(":")
        if sep and "{" not in kind and kind.strip() in ("service", "metric", "series"):
            kind, rest = kind.strip(), rest.strip()
            if not rest:
                raise WatchError(f"{kind}: nothing named after the colon")
            if kind == "series":
                return cls("series", _series_text(rest))
            if kind == "metric":
                _series_text(rest)  # a valid metric name, or WatchError
            return cls(kind, rest)
        if "{" in text:
            return cls("series", _series_text(text))
        _series_text(text)
        return cls("metric", text)

    @property
    def text(self) -> str:
        """The form ``parse`` reads back."""
        return "*" if self.kind == "all" else f"{self.kind}:{self.value}"

    def matches(self, key: SeriesKey) -> bool:
        """Whether points of ``key`` are watched."""
        if self.kind == "all":
            return True
        if self.kind == "metric":
            return key.name == self.value
        if self.kind == "service":
            return any(key.labels.get(label) == self.value for label in SERVICE_LABELS)
        return key.text == self.value

    def matches_event(self, subject: str) -> bool:
        """Whether an event about ``subject`` is watched (everything, or its service: an
        edge ``a->b`` is about both)."""
        if self.kind == "all":
            return True
        return self.kind == "service" and self.value in subject.split("->")


def _series_text(text: str) -> str:
    try:
        return SeriesKey.parse(text).text
    except (ValueError, KeyError) as exc:
        raise WatchError(f"not a series: {text!r} ({exc})") from None


@dataclass(eq=False)
class FrameRecord:
    """One frame as received (treat as immutable). ``no`` counts frames since the inspector opened.

    ``kept`` is what is kept of it: a text frame's first ``RAW_KEEP`` characters, or a binary
    frame's sample (its header and its first points' column bytes); ``raw`` writes it out as
    text the first time it is asked for (most frames are never looked at)."""

    no: int
    wall_ms: int  # when it arrived, this machine's clock
    feed_ms: int | None  # the feed's time it was decoded at
    seq: int | None
    encoding: str  # "text" or "binary"
    size: int  # bytes (characters for a text frame)
    type: str  # the message's type; "" when the frame gave no message
    points: int  # points in a metrics frame
    watched: int  # of them, the watched ones
    errors: tuple[ProtocolError, ...]
    kept: Any  # see the class docstring
    truncated: bool  # raw is shorter than the frame

    @functools.cached_property
    def raw(self) -> str:
        """The frame as text (a binary one: its header and first points), bounded."""
        kept = self.kept
        if isinstance(kept, str):
            return kept
        if isinstance(kept, bytes):
            return kept.decode("utf-8", "replace")
        return _binary_text(*kept)

    @property
    def error_text(self) -> str:
        """The frame's errors in one line (``code: message; ...``)."""
        return "; ".join(_error_line(e) for e in self.errors)


@dataclass(eq=False)
class Row:
    """One line of the stream: a watched ``point``, a protocol ``error``, or an ``event``.

    Treat as immutable (not frozen only because a frozen dataclass is slower to make, and the
    inspector makes up to a thousand per frame)."""

    kind: str
    frame: int  # the frame it came in (FrameRecord.no)
    wall_ms: int
    ts: int | None  # the point's or event's time (feed ms)
    subject: str  # series text, error code, or event kind and subject
    value: float | None = None
    text: str = ""  # an error's message, an event's title

    @functools.cached_property
    def search_text(self) -> str:
        """What the filter looks in (kind, what, value, text), folded; made once per row."""
        value = "" if self.value is None else repr(self.value)
        return f"{self.kind} {self.subject} {value} {self.text}".casefold()

    def line(self) -> str:
        """The row as one copyable line (tab-separated, times in UTC)."""
        value = "" if self.value is None else repr(self.value)
        return "\t".join((self.kind, str(self.frame), _iso(self.wall_ms), _iso(self.ts), self.subject, value,
                          self.text))


COPY_HEADER = "\t".join(("kind", "frame", "arrived", "time", "what", "value", "text"))


def rows_tsv(rows: Iterable[Row]) -> str:
    """Rows as tab-separated text with a header line (what Copy puts on the clipboard)."""
    return "\n".join([COPY_HEADER, *(r.line() for r in rows)]) + "\n"


def frames_tsv(frames: Iterable[FrameRecord]) -> str:
    """Frames as tab-separated text with a header line."""
    head = "\t".join(("frame", "arrived", "seq", "encoding", "bytes", "type", "points", "watched", "errors"))
    lines = [head]
    for f in frames:
        lines.append("\t".join((str(f.no), _iso(f.wall_ms), "" if f.seq is None else str(f.seq), f.encoding,
                                str(f.size), f.type, str(f.points), str(f.watched), f.error_text)))
    return "\n".join(lines) + "\n"


class Inspector:
    """Watches one ``FeedClient``'s frames while at least one viewer is open.

    ``client`` needs only a ``tap`` attribute (``warroom.io.client.FeedClient``). ``version``
    moves whenever what ``rows()``/``frames()``/``counts`` return may have changed.
    """

    def __init__(self, client: Any, *, max_rows: int = MAX_ROWS, max_frames: int = MAX_FRAMES,
                 clock=wall_ms) -> None:
        self.client = client
        self.watch = Watch()
        self.version = 0
        self._clock = clock
        self._lock = threading.Lock()  # the tap may run on another thread than the reader
        self._rows: deque[Row] = deque(maxlen=max_rows)
        self._frames: deque[FrameRecord] = deque(maxlen=max_frames)
        self._viewers = 0
        # (series tuple, watch, watched positions, their texts by position): once per tuple.
        self._layout: tuple[Any, Watch, np.ndarray, dict[int, str]] | None = None
        self._paused: tuple[list[Row], list[FrameRecord]] | None = None
        self.frames_seen = 0
        self.points_seen = 0  # watched points
        self.points_not_shown = 0  # watched points past MAX_POINT_ROWS_PER_FRAME in their frame
        self.errors_seen = 0
        self.bytes_seen = 0
        self.arrived_while_paused = 0  # frames since pause()
        self.last_fault = ""  # the last frame the decoder could not handle at all

    # -- viewers -------------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        """True while a viewer is open (the client's tap is set)."""
        return self._viewers > 0

    def open(self) -> None:
        """A viewer opened: tap the client (the first one does)."""
        self._viewers += 1
        if self._viewers == 1:
            self.client.tap = self.on_frame

    def close(self) -> None:
        """A viewer closed: the last one removes the tap, and the client works for nobody."""
        if self._viewers == 0:
            return
        self._viewers -= 1
        if self._viewers == 0 and getattr(self.client, "tap", None) == self.on_frame:
            self.client.tap = None

    # -- what to watch, pause, clear -------------------------------------------------------
    def set_watch(self, watch: Watch | str) -> Watch:
        """Watch something else from now on (``str``: ``Watch.parse``; raises ``WatchError``).
        Rows already kept stay: they say what they are."""
        watch = Watch.parse(watch) if isinstance(watch, str) else watch
        if watch != self.watch:
            with self._lock:
                self.watch = watch
                self._layout = None
                self.version += 1
        return watch

    @property
    def paused(self) -> bool:
        """True while what is shown is frozen."""
        return self._paused is not None

    def pause(self) -> None:
        """Freeze ``rows()`` and ``frames()`` as they are; arrivals go on being kept and counted."""
        with self._lock:
            if self._paused is None:
                self._paused = (list(self._rows), list(self._frames))
                self.arrived_while_paused = 0
                self.version += 1

    def resume(self) -> None:
        """Show the newest again."""
        with self._lock:
            if self._paused is not None:
                self._paused = None
                self.version += 1

    def clear(self) -> None:
        """Forget every kept row and frame and the counts (not what is watched)."""
        with self._lock:
            self._rows.clear()
            self._frames.clear()
            if self._paused is not None:
                self._paused = ([], [])
            self.frames_seen = self.points_seen = self.points_not_shown = 0
            self.errors_seen = self.bytes_seen = self.arrived_while_paused = 0
            self.version += 1

    # -- reading -----------------------------------------------------------------------
    def rows(self, contains: str = "", *, newest_first: bool = True) -> list[Row]:
        """The rows shown (frozen while paused), those whose line contains ``contains``
        (case-insensitive) when given."""
        with self._lock:
            rows = list(self._paused[0] if self._paused is not None else self._rows)
        needle = contains.strip().casefold()
        if needle:
            rows = [r for r in rows if needle in r.search_text]
        return rows[::-1] if newest_first else rows

    def frames(self, contains: str = "", *, newest_first: bool = True) -> list[FrameRecord]:
        """The frames shown (frozen while paused), those whose summary or text contains ``contains``."""
        with self._lock:
            frames = list(self._paused[1] if self._paused is not None else self._frames)
        needle = contains.strip().casefold()
        if needle:
            frames = [f for f in frames if needle in f"{f.type} {f.error_text} {f.raw}".casefold()]
        return frames[::-1] if newest_first else frames

    def frame(self, no: int) -> FrameRecord | None:
        """The frame numbered ``no`` if it is still kept (while paused: among those shown)."""
        with self._lock:
            for f in reversed(self._paused[1] if self._paused is not None else self._frames):
                if f.no == no:
                    return f
                if f.no < no:
                    break
        return None

    # -- the tap -----------------------------------------------------------------------
    def on_frame(self, frame: bytes | str, result: DecodeResult | None, now_ms: int | None) -> None:
        """The client's tap: record one frame (``result`` None: decoding it raised)."""
        arrived = self._clock()
        binary = not isinstance(frame, str)
        msg = result.message if result is not None else None
        errors = tuple(result.errors) if result is not None else ()
        with self._lock:
            self.frames_seen += 1
            no = self.frames_seen
            self.bytes_seen += len(frame)
            rows: list[Row] = []
            points = watched = 0
            if isinstance(msg, MetricBatch):
                points = len(msg)
                watched = self._watched_points(msg, no, arrived, rows)
            elif isinstance(msg, Events):
                for e in msg.events:
                    if self.watch.matches_event(e.subject):
                        rows.append(Row("event", no, arrived, e.ts, f"{e.kind.value} {e.subject}", None, e.title))
            elif isinstance(msg, ServerError):
                rows.append(Row("error", no, arrived, None, f"server:{msg.code}", None, _clean(msg.message)))
            for err in errors:
                rows.append(Row("error", no, arrived, None, err.code.value, None, _count_text(err)))
            if result is None:
                self.last_fault = f"frame {no}: the decoder failed on it (see the feed-health panel)"
                rows.append(Row("error", no, arrived, None, "decoder_fault", None, self.last_fault))
            self.errors_seen += sum(e.count for e in errors) + (result is None) + isinstance(msg, ServerError)
            kept, truncated = _kept(frame)
            self._frames.append(FrameRecord(
                no, arrived, now_ms, result.seq if result is not None else None, "binary" if binary else "text",
                len(frame), msg.TYPE if msg is not None else "", points, watched, errors, kept, truncated,
            ))
            self._rows.extend(rows)
            if self._paused is not None:
                self.arrived_while_paused += 1
            self.version += 1

    def _watched_points(self, batch: MetricBatch, no: int, arrived: int, rows: list[Row]) -> int:
        ids, texts = self._watched_ids(batch.series)
        if ids.size == 0:
            return 0
        if ids.size == len(batch.series):
            picked = np.arange(len(batch))
        else:
            picked = np.flatnonzero(np.isin(batch.index, ids))
        n = int(picked.size)
        self.points_seen += n
        shown = picked[-MAX_POINT_ROWS_PER_FRAME:]  # the newest of a huge frame
        self.points_not_shown += n - int(shown.size)
        rows.extend(Row("point", no, arrived, t, texts[i], v) for i, t, v in
                    zip(batch.index[shown].tolist(), batch.ts[shown].tolist(), batch.values[shown].tolist()))
        return n

    def _watched_ids(self, series: tuple[SeriesKey, ...]) -> tuple[np.ndarray, dict[int, str]]:
        """Positions of the watched series in a batch's series tuple and their texts, computed
        once per tuple (the decoder hands every batch of one layout the same tuple)."""
        cached = self._layout
        if cached is not None and cached[0] is series and cached[1] == self.watch:
            return cached[2], cached[3]
        texts = {i: key.text for i, key in enumerate(series) if self.watch.matches(key)}
        ids = np.fromiter(texts, dtype=np.int32, count=len(texts))
        self._layout = (series, self.watch, ids, texts)
        return ids, texts

    @property
    def counts(self) -> dict[str, int]:
        """Totals since opened or cleared: frames, bytes, watched points, errors."""
        return {"frames": self.frames_seen, "bytes": self.bytes_seen, "points": self.points_seen,
                "errors": self.errors_seen, "not_shown": self.points_not_shown,
                "while_paused": self.arrived_while_paused}


def _error_line(err: ProtocolError) -> str:
    return f"{err.code.value}: {_count_text(err)}"


def _count_text(err: ProtocolError) -> str:
    return err.message if err.count == 1 else f"{err.message} (×{err.count})"


def _clean(text: str) -> str:
    """Text safe to show and copy: no lone surrogates (Qt cannot take them)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _kept(frame: bytes | str) -> tuple[Any, bool]:
    """What a ``FrameRecord`` keeps of a frame (bounded, cheap to take), and whether it was cut."""
    if isinstance(frame, str):
        cut = frame[:RAW_KEEP]
        return _clean(cut), len(cut) < len(frame)
    if is_binary_frame(frame):
        return _binary_sample(frame), True
    cut_b = bytes(frame[:RAW_KEEP])
    return cut_b, len(cut_b) < len(frame)


def _binary_sample(frame: bytes | bytearray | memoryview) -> tuple[bytes, bytes, bytes, bytes, int] | str:
    """A binary (WRB1) frame's header and the bytes of its first ``BINARY_POINTS_SHOWN`` points
    of each column, with its point count; a frame whose lengths do not add up, as hex text."""
    view = memoryview(frame)
    if len(view) >= _PREAMBLE.size:
        _, hlen = _PREAMBLE.unpack_from(view)
        end = _PREAMBLE.size + hlen
        columns = len(view) - end
        if columns >= 0 and columns % _POINT_BYTES == 0:
            n = columns // _POINT_BYTES
            k = min(n, BINARY_POINTS_SHOWN)
            return (bytes(view[_PREAMBLE.size:min(end, _PREAMBLE.size + RAW_KEEP)]), bytes(view[end:end + 4 * k]),
                    bytes(view[end + 4 * n:end + 4 * n + 8 * k]), bytes(view[end + 12 * n:end + 12 * n + 8 * k]), n)
    head = bytes(view[:256])
    return f"# not a well-formed binary frame ({len(view)} bytes); the first {len(head)}:\n{head.hex(' ')}"


def _binary_text(header: bytes, s: bytes, t: bytes, v: bytes, n: int) -> str:
    """A binary frame's sample as text: its JSON header, then its first points as s, t, v."""
    try:
        head = json.dumps(json.loads(header), ensure_ascii=False, sort_keys=True)
    except (ValueError, RecursionError):
        head = "# header is not JSON: " + header.decode("utf-8", "replace")
    ids, times, values = np.frombuffer(s, "<i4"), np.frombuffer(t, "<i8"), np.frombuffer(v, "<f8")
    lines = [head, f"# {n} points as s (series id), t (ms), v; the first {len(ids)}:"]
    lines += [f"{i}\t{si}\t{ti}\t{vi!r}" for i, (si, ti, vi) in
              enumerate(zip(ids.tolist(), times.tolist(), values.tolist()))]
    return _clean("\n".join(lines))


def _iso(ms: int | None) -> str:
    """UTC time with milliseconds, e.g. ``2026-12-06T22:31:05.250Z`` ("" for None)."""
    if ms is None:
        return ""
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return str(ms)
