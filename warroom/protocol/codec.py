"""The sans-I/O codec: ``encode(message) -> bytes`` and ``Decoder.decode(bytes) -> DecodeResult``.

Every frame is one JSON object: ``{"v": 1, "type": ..., "seq": ..., <body fields>}``. The
decoder never raises on bad input: a bad frame yields ``DecodeResult(None, [errors])``,
a frame with some bad points yields the good points *and* the errors. The decoder keeps
the newest timestamp per series so duplicates and out-of-order points are caught across
frames (and across reconnects: call ``new_connection()`` between connections).

Typical use, the way the websocket client drives it::

    decoder = Decoder()
    for frame in frames:
        result = decoder.decode(frame, now_ms=feed_clock.now_ms())
        stats.extend(result.errors)
        if result.message is not None:
            handle(result.message)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.errors import ErrorCode, ErrorStats, ProtocolError
from warroom.protocol.messages import PROTOCOL_VERSION, SUPPORTED_VERSIONS, Message, MetricBatch
from warroom.protocol import parse as p

DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024
DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60 * 1000


def encode_tail(message: Message) -> bytes:
    """The frame without its opening ``{"v":1,"seq":N,``: lets a server encode a broadcast once
    and give each connection its own ``seq`` (see ``frame_with_seq``)."""
    body: dict[str, Any] = {"type": message.TYPE}
    body.update(message.to_wire())
    return json.dumps(body, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()[1:]


def frame_with_seq(tail: bytes, seq: int) -> bytes:
    """A complete frame from ``encode_tail`` output and a per-connection sequence number."""
    return b'{"v":%d,"seq":%d,' % (PROTOCOL_VERSION, seq) + tail


def encode(message: Message, seq: int | None = None) -> bytes:
    """Serialise a message to one UTF-8 JSON frame. Raises ``ValueError`` on NaN/inf values.

    ``seq`` is the server's per-connection frame counter; clients send none.
    """
    envelope: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": message.TYPE}
    if seq is not None:
        envelope["seq"] = seq
    envelope.update(message.to_wire())
    return json.dumps(envelope, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()


@dataclass
class DecodeResult:
    """What one frame gave: a message (or None if the frame was unusable) and the errors."""

    message: Message | None
    errors: list[ProtocolError] = field(default_factory=list)
    seq: int | None = None


_PARSERS = {
    "hello": p.parse_hello,
    "topology": p.parse_topology,
    "events": p.parse_events,
    "plan_catalogue": p.parse_plans,
    "heartbeat": p.parse_heartbeat,
    "command_result": p.parse_command_result,
    "error": p.parse_server_error,
    "subscribe": p.parse_subscribe,
    "command": p.parse_command,
}


class Decoder:
    """Turns frames into typed messages, validating as it goes; keeps per-series order state.

    ``stats`` (optional) is updated with every error, so a health view can read the totals.
    """

    def __init__(
        self,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        future_tolerance_ms: int = DEFAULT_FUTURE_TOLERANCE_MS,
        stats: ErrorStats | None = None,
    ) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.future_tolerance_ms = future_tolerance_ms
        self.stats = stats if stats is not None else ErrorStats()
        self._last_seq: int | None = None
        self._key_cache: dict[tuple[str, tuple[tuple[str, str], ...]], SeriesKey] = {}
        self._gid: dict[SeriesKey, int] = {}
        self._last_ts = np.full(256, np.iinfo(np.int64).min, dtype=np.int64)

    def new_connection(self) -> None:
        """Forget the frame counter (a new connection starts its own), keep per-series order."""
        self._last_seq = None

    def last_ts(self, key: SeriesKey) -> int | None:
        """Newest accepted timestamp of a series, or None if none was accepted yet."""
        gid = self._gid.get(key)
        return None if gid is None else int(self._last_ts[gid])

    def decode(self, frame: bytes | str, now_ms: int) -> DecodeResult:
        """Decode and validate one frame. ``now_ms`` is the feed's current time (see FeedClock)."""
        result = self._decode(frame, now_ms)
        self.stats.extend(result.errors)
        return result

    def _decode(self, frame: bytes | str, now_ms: int) -> DecodeResult:
        size = len(frame)
        if isinstance(frame, str) and size * 4 > self.max_frame_bytes:
            size = len(frame.encode("utf-8", "surrogatepass"))  # the limit is in bytes, as documented
        if size > self.max_frame_bytes:
            return DecodeResult(None, [ProtocolError(ErrorCode.OVERSIZED, f"frame of {size} bytes > {self.max_frame_bytes}")])
        try:
            body = json.loads(frame)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return DecodeResult(None, [ProtocolError(ErrorCode.MALFORMED_JSON, f"not JSON: {str(exc)[:120]}")])
        if not isinstance(body, dict):
            return DecodeResult(None, [ProtocolError(ErrorCode.MALFORMED_JSON, "frame is not a JSON object")])
        kind = body.get("type")
        version = body.get("v")
        # The hello is readable whatever the version: it is how versions are negotiated.
        if kind != "hello" and (type(version) is not int or version not in SUPPORTED_VERSIONS):
            return DecodeResult(None, [ProtocolError(ErrorCode.BAD_VERSION, f"protocol version {version!r} not in {SUPPORTED_VERSIONS}")])
        errors: list[ProtocolError] = []
        seq = body.get("seq")
        if seq is not None:
            if type(seq) is not int:
                errors.append(ProtocolError(ErrorCode.BAD_FIELD, "seq must be an integer"))
                seq = None
            else:
                if self._last_seq is not None and seq > self._last_seq + 1:
                    missed = seq - self._last_seq - 1
                    errors.append(ProtocolError(ErrorCode.SEQUENCE_GAP, f"{missed} frame(s) lost before seq {seq}", missed))
                self._last_seq = seq
        try:
            if kind == "metrics":
                message, more = self._parse_metrics(body, now_ms)
            elif isinstance(kind, str) and kind in _PARSERS:
                message, more = _PARSERS[kind](body, now_ms, self.future_tolerance_ms)
            else:
                return DecodeResult(None, errors + [ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}")], seq)
        except p.BadMessage as exc:
            return DecodeResult(None, errors + [exc.error], seq)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            return DecodeResult(None, errors + [ProtocolError(ErrorCode.BAD_FIELD, f"{kind}: {str(exc)[:160]}")], seq)
        return DecodeResult(message, errors + more, seq)

    # -- metrics: vectorised, because this is the hot path --------------------------
    def _series_key(self, item: Any) -> SeriesKey:
        if not isinstance(item, dict):
            raise p.BadMessage(ErrorCode.BAD_FIELD, "series entries must be objects")
        name = item.get("name")
        labels = item.get("labels") or {}
        if not isinstance(name, str) or not isinstance(labels, dict):
            raise p.BadMessage(ErrorCode.BAD_FIELD, "series entries need a string name and a labels object")
        cache_key = (name, tuple(sorted(labels.items())))
        key = self._key_cache.get(cache_key)
        if key is None:
            key = SeriesKey(name, labels)  # validates names; ValueError is reported by the caller
            if len(self._key_cache) < 1_000_000:  # bounded against a feed inventing series
                self._key_cache[cache_key] = key
        return key

    def _gids(self, keys: list[SeriesKey]) -> np.ndarray:
        out = np.empty(len(keys), dtype=np.int64)
        for i, k in enumerate(keys):
            gid = self._gid.get(k)
            if gid is None:
                gid = self._gid[k] = len(self._gid)
                if gid >= len(self._last_ts):
                    grown = np.full(len(self._last_ts) * 2, np.iinfo(np.int64).min, dtype=np.int64)
                    grown[: len(self._last_ts)] = self._last_ts
                    self._last_ts = grown
            out[i] = gid
        return out

    def _parse_metrics(self, body: dict[str, Any], now_ms: int) -> tuple[MetricBatch, list[ProtocolError]]:
        errors: list[ProtocolError] = []
        series_raw = p.field(body, "series", list)
        pts = p.field(body, "points", dict)
        s, t, v = (p.field(pts, k, list) for k in ("s", "t", "v"))
        if not (len(s) == len(t) == len(v)):
            raise p.BadMessage(ErrorCode.BAD_FIELD, f"points columns differ in length: s={len(s)} t={len(t)} v={len(v)}")
        sent_at = body.get("sent_at")
        sent_at = sent_at if type(sent_at) is int else None

        keys: list[SeriesKey] = []
        ok_series: list[bool] = []
        for i, item in enumerate(series_raw):
            try:
                keys.append(self._series_key(item))
                ok_series.append(True)
            except (p.BadMessage, ValueError, TypeError) as exc:  # TypeError: unhashable label value
                msg = exc.error.message if isinstance(exc, p.BadMessage) else str(exc)
                errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"series[{i}]: {msg}"))
                keys.append(SeriesKey("invalid"))
                ok_series.append(False)

        n = len(t)
        idx = _int_column(s)
        ts = _int_column(t)
        vals = _float_column(v)
        keep = np.ones(n, dtype=bool)

        bad_type = (idx < 0) | (idx >= len(keys)) | (ts == _BAD_INT)
        if bad_type.any():
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, "points with a bad series index or timestamp", int(bad_type.sum())))
            keep &= ~bad_type
        idx = np.where(keep, idx, 0)
        series_ok = np.asarray(ok_series or [False], dtype=bool)
        keep &= series_ok[idx]  # points of a refused series go with it (already reported)

        not_number = _bad_type_value(v, vals)
        typed = keep & not_number
        bad_value = keep & ~not_number & ~np.isfinite(vals)
        if typed.any():
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, "point values that are not numbers", int(typed.sum())))
        if bad_value.any():
            errors.append(ProtocolError(ErrorCode.NON_FINITE, "NaN, Infinity or null values", int(bad_value.sum())))
        keep &= ~bad_value & ~typed

        old = keep & (ts < p.MIN_TS_MS)
        if old.any():
            errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, "timestamps before 2000 (seconds sent as ms?)", int(old.sum())))
        future = keep & (ts > now_ms + self.future_tolerance_ms)
        if future.any():
            ahead = int(ts[future].max() - now_ms)
            errors.append(ProtocolError(ErrorCode.FUTURE_TIMESTAMP, f"timestamps up to {ahead} ms in the future", int(future.sum())))
        keep &= ~old & ~future

        if keep.any():
            gids = self._gids(keys)[idx]
            keep_idx = np.flatnonzero(keep)
            order = keep_idx[np.lexsort((ts[keep_idx], gids[keep_idx]))]
            g_sorted, t_sorted = gids[order], ts[order]
            prior = self._last_ts[g_sorted]
            dup_in_frame = np.zeros(len(order), dtype=bool)
            dup_in_frame[1:] = (g_sorted[1:] == g_sorted[:-1]) & (t_sorted[1:] == t_sorted[:-1])
            dup = dup_in_frame | (t_sorted == prior)
            late = t_sorted < prior
            if dup.any():
                errors.append(ProtocolError(ErrorCode.DUPLICATE_POINT, "points already received", int(dup.sum())))
            if late.any():
                errors.append(ProtocolError(ErrorCode.OUT_OF_ORDER, "points older than the newest of their series", int(late.sum())))
            accepted = order[~(dup | late)]
            np.maximum.at(self._last_ts, gids[accepted], ts[accepted])
            keep = np.zeros(n, dtype=bool)
            keep[accepted] = True
        sel = np.flatnonzero(keep)  # original frame order of the survivors
        idx = idx[sel]
        if not all(ok_series):
            # Drop refused series from the batch so nobody registers the placeholder key.
            good = np.flatnonzero(series_ok)
            remap = np.full(len(keys), -1, dtype=np.int32)
            remap[good] = np.arange(len(good), dtype=np.int32)
            keys = [keys[i] for i in good]
            idx = remap[idx]
        return MetricBatch(tuple(keys), idx, ts[sel], vals[sel], sent_at), errors


_BAD_INT = np.iinfo(np.int64).min


def _int_column(values: list[Any]) -> np.ndarray:
    """Integers as int64; anything that is not an integer becomes ``_BAD_INT``."""
    # Check the element types first: np.asarray would quietly take True as 1 and a
    # nested list as a second dimension.
    if set(map(type, values)) <= {int}:
        try:
            return np.asarray(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.fromiter(
        (x if type(x) is int and -(2**63) < x < 2**63 else _BAD_INT for x in values), dtype=np.int64, count=len(values)
    )


def _float_column(values: list[Any]) -> np.ndarray:
    """Numbers as float64; null, strings and the like become NaN (and are reported)."""
    # Only a purely numeric column takes the fast path: asarray(dtype=float) would
    # quietly turn the string "1.5" into a number, True into 1.0, and a nested list
    # into a second dimension.
    if set(map(type, values)) <= {float, int}:
        try:
            return np.asarray(values, dtype=np.float64)
        except OverflowError:
            pass
    return np.fromiter((_as_float(x) for x in values), dtype=np.float64, count=len(values))


def _as_float(x: Any) -> float:
    if type(x) is float:
        return x
    if type(x) is int:
        try:
            return float(x)
        except OverflowError:
            return np.inf
    return np.nan


def _bad_type_value(raw: list[Any], vals: np.ndarray) -> np.ndarray:
    """Which NaNs came from a non-number (string, object, bool) rather than null/NaN."""
    nan = np.isnan(vals)
    out = np.zeros(len(vals), dtype=bool)
    if nan.any():
        for i in np.flatnonzero(nan):
            x = raw[i]
            out[i] = not (x is None or type(x) is float)
    return out
