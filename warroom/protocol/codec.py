"""The sans-I/O codec: ``encode(message) -> bytes`` and ``Decoder.decode(bytes) -> DecodeResult``.

Every frame is one JSON object: ``{"v": 1, "type": ..., "seq": ..., <body fields>}``. The
decoder never raises on bad input: a bad frame yields ``DecodeResult(None, [errors])``,
a frame with some bad points yields the good points *and* the errors. The decoder keeps
the newest timestamp per series so duplicates and out-of-order points are caught across
frames (and across reconnects: call ``new_connection()`` between connections).

**The feed's clock.** A ``hello`` or ``heartbeat`` whose ``server_time`` breaks the bounds of
``warroom.core.clock`` (before 2000, after 9999, more than 100 years ahead of this machine's
wall clock), a ``hello`` whose ``speed`` is outside [0.001, 10,000] or whose ``heartbeat_s`` is
over ``MAX_HEARTBEAT_S``, gives no message and one ``bad_clock`` error: a client closes the
connection on such a hello, and does not re-anchor its clock on such a heartbeat.

**Clock resets.** A good ``hello`` or ``heartbeat`` may say the feed's clock is not the one the
decoder's per-series memory was built on: ``clock_reset_reason`` tells why, and ``decode`` then
forgets that memory itself (``forget_series_times``) and sets ``DecodeResult.clock_reset`` to
the reason, for the caller to record. Reasons: a ``hello`` from another ``server_id`` than the
last hello decoded, or a ``server_time`` more than ``clock_reset_slack_ms`` behind the newest
point accepted (10 s of feed time, or 10 wall seconds of it when the feed runs faster than real
time). Without it a feed restarted with an earlier clock would have every point refused as
``out_of_order`` until its clock caught up.

Typical use, the way the websocket client drives it::

    decoder = Decoder()
    for frame in frames:
        result = decoder.decode(frame, now_ms=feed_clock.now_ms())
        if result.clock_reset:
            record_feed_event(result.clock_reset)   # the decoder already forgot
        if result.message is not None:
            handle(result.message)
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from warroom.core.clock import speed_problem, time_problem, wall_ms
from warroom.core.model import SeriesKey
from warroom.protocol.errors import ErrorCode, ErrorStats, ProtocolError
from warroom.protocol.messages import (
    PROTOCOL_VERSION, SUPPORTED_VERSIONS, Heartbeat, Hello, Message, MetricBatch, Subscribe,
)
from warroom.protocol import parse as p
from warroom.protocol.binary import BinaryFrameError, is_binary_frame, unpack_frame
from warroom.protocol.metrics import BAD_INT, MetricsState

DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024
DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60 * 1000
#: Longest heartbeat interval a hello may promise: past it a dead feed would never look stale.
MAX_HEARTBEAT_S = 3600.0
#: A feed clock this far behind the newest point (× speed when faster than real time) is a reset.
CLOCK_RESET_SLACK_MS = 10_000


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
    #: Set on the hello/heartbeat that reset the per-series memory: why (for a "feed clock reset" event).
    clock_reset: str | None = None


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
    ``wall_clock`` gives this machine's wall time in epoch ms, for the bounds of a feed's clock
    (tests pass their own; it is read only for hellos and heartbeats).
    """

    def __init__(
        self,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        future_tolerance_ms: int = DEFAULT_FUTURE_TOLERANCE_MS,
        stats: ErrorStats | None = None,
        wall_clock: Callable[[], int] = wall_ms,
    ) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.future_tolerance_ms = future_tolerance_ms
        self.stats = stats if stats is not None else ErrorStats()
        self._wall_clock = wall_clock
        self._last_seq: int | None = None
        self._metrics = MetricsState(future_tolerance_ms)
        self._hello: Hello | None = None  # the last good hello: its server_id and speed

    def new_connection(self) -> None:
        """Forget the frame counter and the series ids of the last connection (a new
        connection starts its own); keep the per-series order, to catch replays."""
        self._last_seq = None
        self._metrics.new_connection()

    def last_ts(self, key: SeriesKey) -> int | None:
        """Newest accepted timestamp of a series, or None if none was accepted yet."""
        return self._metrics.last_ts(key)

    @property
    def ahead_slack_ms(self) -> int:
        """How far ahead of the feed's now a point may be and still count as on time (one wall
        second of feed time, from the hello's speed); later points are "ahead" (section 4)."""
        return self._metrics.ahead_slack_ms

    def forget_series_times(self) -> None:
        """Forget the newest timestamp of every series (and the points held ahead of the clock):
        the next point of each series is judged afresh. ``decode`` calls it on a clock reset."""
        self._metrics.forget_times()

    @property
    def clock_reset_slack_ms(self) -> int:
        """How far (feed ms) a feed clock may be behind the newest point before it is a reset."""
        speed = self._hello.speed if self._hello is not None else 1.0
        return int(max(1.0, speed) * CLOCK_RESET_SLACK_MS)

    def clock_reset_reason(self, message: Hello | Heartbeat) -> str | None:
        """Why this hello or heartbeat means the feed's clock was reset, or None. Changes nothing.

        A hello from a ``server_id`` other than the last hello's; or a ``server_time`` more than
        ``clock_reset_slack_ms`` behind the newest point accepted (points held ahead of the clock
        do not count).
        """
        last = self._hello
        if isinstance(message, Hello) and last is not None and message.server_id != last.server_id:
            return f"feed changed from {last.server_id!r} to {message.server_id!r}"
        newest = self._metrics.newest_mark()
        slack = self.clock_reset_slack_ms
        if isinstance(message, Hello):
            slack = max(slack, int(max(1.0, message.speed) * CLOCK_RESET_SLACK_MS))
        if newest is not None and message.server_time < newest - slack:
            back_s = (newest - message.server_time) / 1000
            return f"feed clock went back {back_s:,.0f} s: {message.TYPE} at {message.server_time}, newest point at {newest}"
        return None

    def decode(self, frame: bytes | str, now_ms: int) -> DecodeResult:
        """Decode and validate one frame. ``now_ms`` is the feed's current time (see FeedClock)."""
        result = self._decode(frame, now_ms)
        if isinstance(result.message, (Hello, Heartbeat, Subscribe)):
            self._check_clock(result)
        self.stats.extend(result.errors)
        return result

    def decode_frames(self, frames: list[bytes], now_ms: int) -> DecodeResult | None:
        """Several binary metrics frames that arrived together, as one batch; None (and nothing
        changed) unless every frame is clean, in sequence, and names the same series in the
        same known layout: then decode them one by one, which says what is wrong.

        The batch's ``sent_at`` is the earliest frame's, so latency measured from it is never
        understated; ``seq`` is the last frame's.
        """
        if len(frames) < 2:
            return None
        seq = self._last_seq
        sent: list[int] = []
        s0: bytes | None = None
        ts_parts, value_parts = [], []
        for frame in frames:
            if len(frame) > self.max_frame_bytes or not is_binary_frame(frame):
                return None
            try:
                body, s, t, v = unpack_frame(frame)  # views: the columns are joined below
            except BinaryFrameError:
                return None
            if body.get("type") != "metrics" or self._check_envelope(body) is not None:
                return None
            defs = body.get("defs")
            if body.get("series") is not None or not (defs is None or defs == []):
                return None  # frame-local series, or definitions (or a bad field): one by one
            n = body.get("seq")
            if n is not None:
                if type(n) is not int or (seq is not None and n > seq + 1):
                    return None  # a gap is said frame by frame
                seq = n
            at = body.get("sent_at")
            if at is not None:
                if type(at) is not int or not p.MIN_TS_MS <= at <= p.MAX_TS_MS:
                    return None
                sent.append(at)
            s_bytes = s.tobytes()
            if s0 is None:
                s0, s_first = s_bytes, s
            elif s_bytes != s0:
                return None
            ts_parts.append(t)
            value_parts.append(v)
        batch = self._metrics.accept_frames(
            self._metrics.connection_series(), s_first, np.concatenate(ts_parts).astype(np.int64, copy=False),
            np.concatenate(value_parts).astype(np.float64, copy=False), len(frames),
            now_ms=now_ms, sent_at=min(sent) if sent else None,
        )
        if batch is None:
            return None
        self._last_seq = seq
        return DecodeResult(batch, [], seq)

    def _check_clock(self, result: DecodeResult) -> None:
        """Apply the clock bounds and reset rule to a decoded hello/heartbeat (and bound a
        subscribe's ``since``), in place."""
        msg = result.message
        if isinstance(msg, Subscribe):
            if msg.since is not None and msg.since > p.MAX_TS_MS:
                result.message = None
                result.errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, f"field 'since': {msg.since} is after 9999-12-31"))
            return
        problem = time_problem(msg.server_time, self._wall_clock())
        if problem is None and isinstance(msg, Hello):
            problem = speed_problem(msg.speed)
            if problem is None and msg.heartbeat_s > MAX_HEARTBEAT_S:
                problem = f"heartbeat_s {msg.heartbeat_s:g} is over {MAX_HEARTBEAT_S:g}"
        if problem is not None:
            result.message = None
            result.errors.append(ProtocolError(ErrorCode.BAD_CLOCK, f"{msg.TYPE}: {problem}"))
            return
        if isinstance(msg, Hello) and msg.resume_from is not None and not p.MIN_TS_MS <= msg.resume_from <= p.MAX_TS_MS:
            result.errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, f"hello: resume_from {msg.resume_from} ignored"))
            msg = result.message = dataclasses.replace(msg, resume_from=None)
        result.clock_reset = self.clock_reset_reason(msg)
        if result.clock_reset is not None:
            self.forget_series_times()
        if isinstance(msg, Hello):
            self._hello = msg
            self._metrics.set_speed(msg.speed)

    def _decode(self, frame: bytes | str, now_ms: int) -> DecodeResult:
        size = len(frame)
        if isinstance(frame, str) and size * 4 > self.max_frame_bytes:
            size = len(frame.encode("utf-8", "surrogatepass"))  # the limit is in bytes, as documented
        if size > self.max_frame_bytes:
            return DecodeResult(None, [ProtocolError(ErrorCode.OVERSIZED, f"frame of {size} bytes > {self.max_frame_bytes}")])
        if is_binary_frame(frame):
            return self._decode_binary(frame, now_ms)  # type: ignore[arg-type]
        try:
            body = json.loads(frame)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return DecodeResult(None, [ProtocolError(ErrorCode.MALFORMED_JSON, f"not JSON: {str(exc)[:120]}")])
        if not isinstance(body, dict):
            return DecodeResult(None, [ProtocolError(ErrorCode.MALFORMED_JSON, "frame is not a JSON object")])
        kind = body.get("type")
        bad = self._check_envelope(body)
        if bad is not None:
            return DecodeResult(None, [bad])
        seq, errors = self._check_seq(body)
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

    def _check_envelope(self, body: dict[str, Any]) -> ProtocolError | None:
        version = body.get("v")
        # The hello is readable whatever the version: it is how versions are negotiated.
        if body.get("type") != "hello" and (type(version) is not int or version not in SUPPORTED_VERSIONS):
            return ProtocolError(ErrorCode.BAD_VERSION, f"protocol version {version!r} not in {SUPPORTED_VERSIONS}")
        return None

    def _check_seq(self, body: dict[str, Any]) -> tuple[int | None, list[ProtocolError]]:
        errors: list[ProtocolError] = []
        seq = body.get("seq")
        if seq is None:
            return None, errors
        if type(seq) is not int:
            return None, [ProtocolError(ErrorCode.BAD_FIELD, "seq must be an integer")]
        if self._last_seq is not None and seq > self._last_seq + 1:
            missed = seq - self._last_seq - 1
            errors.append(ProtocolError(ErrorCode.SEQUENCE_GAP, f"{missed} frame(s) lost before seq {seq}", missed))
        self._last_seq = seq
        return seq, errors

    # -- metrics: vectorised, because this is the hot path --------------------------
    def _parse_metrics(self, body: dict[str, Any], now_ms: int) -> tuple[MetricBatch, list[ProtocolError]]:
        errors: list[ProtocolError] = []
        pts = p.field(body, "points", dict)
        s, v = p.field(pts, "s", list), p.field(pts, "v", list)
        t = pts.get("t")
        if type(t) is int:  # one timestamp shared by every point of the frame
            t = [t] * len(s)
        elif not isinstance(t, list):
            raise p.BadMessage(ErrorCode.BAD_FIELD, "points.t must be an integer or a list")
        if not (len(s) == len(t) == len(v)):
            raise p.BadMessage(ErrorCode.BAD_FIELD, f"points columns differ in length: s={len(s)} t={len(t)} v={len(v)}")
        table, local = self._series_table(body, errors)
        idx = _int_column(s)
        vals = _float_column(v)
        return self._metrics.accept(
            table, idx, _int_column(t), vals,
            s_ok=idx != BAD_INT, v_not_number=_bad_type_value(v, vals), local=local,
            now_ms=now_ms, sent_at=_sent_at(body, errors), errors=errors,
        ), errors

    def _series_table(self, body: dict[str, Any], errors: list[ProtocolError]) -> tuple[np.ndarray, bool]:
        """Global ids that ``s`` values point at, and whether they are frame-local."""
        if body.get("series") is not None:  # null means absent, as for every optional field
            return self._metrics.frame_series(p.field(body, "series", list), errors), True
        self._metrics.define(p.field(body, "defs", list, optional=True, default=[]), errors)
        return self._metrics.connection_series(), False

    def _decode_binary(self, frame: bytes, now_ms: int) -> DecodeResult:
        try:
            body, s, t, v = unpack_frame(frame, copy=True)  # the batch's own, aligned columns
        except BinaryFrameError as exc:
            return DecodeResult(None, [ProtocolError(ErrorCode.MALFORMED_JSON, f"bad binary frame: {str(exc)[:160]}")])
        if not isinstance(body, dict) or body.get("type") != "metrics":
            return DecodeResult(None, [ProtocolError(ErrorCode.UNKNOWN_TYPE, "binary frames carry only metrics")])
        bad = self._check_envelope(body)
        if bad is not None:
            return DecodeResult(None, [bad])
        seq, errors = self._check_seq(body)
        try:
            table, local = self._series_table(body, errors)
        except p.BadMessage as exc:
            return DecodeResult(None, errors + [exc.error], seq)
        batch = self._metrics.accept(
            # No copy on a little-endian machine: t and v are native int64/float64 already.
            table, s, t.astype(np.int64, copy=False), v.astype(np.float64, copy=False),
            s_ok=None, v_not_number=None,  # raw columns: every s is an integer, every v a number
            local=local, now_ms=now_ms, sent_at=_sent_at(body, errors), errors=errors,
        )
        return DecodeResult(batch, errors, seq)


def _sent_at(body: dict[str, Any], errors: list[ProtocolError]) -> int | None:
    sent_at = body.get("sent_at")
    if type(sent_at) is not int:
        return None
    if not p.MIN_TS_MS <= sent_at <= p.MAX_TS_MS:
        errors.append(ProtocolError(ErrorCode.BAD_TIMESTAMP, f"sent_at {sent_at} ignored: outside 2000..9999"))
        return None
    return sent_at




def _int_column(values: list[Any]) -> np.ndarray:
    """Integers as int64; anything that is not an integer becomes ``BAD_INT``."""
    # Check the element types first: np.asarray would quietly take True as 1 and a
    # nested list as a second dimension.
    if set(map(type, values)) <= {int}:
        try:
            return np.asarray(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.fromiter(
        (x if type(x) is int and -(2**63) < x < 2**63 else BAD_INT for x in values), dtype=np.int64, count=len(values)
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
