"""Encoding for servers: a message encoded once, framed per connection.

A broadcast goes to many connections that each have their own ``seq`` and may have
chosen different encodings ("json" or "binary" for metrics). ``Outgoing`` encodes the
body lazily, once per encoding, and ``frame(encoding, seq)`` only splices the envelope.
Metric batches use connection-scoped series ids from a shared ``SeriesTable``: the
``defs`` of series never sent before ride along in the frame that first uses them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from warroom.protocol.binary import pack_frame, pack_points
from warroom.protocol.codec import encode_tail, frame_with_seq
from warroom.protocol.messages import PROTOCOL_VERSION, Message, MetricBatch
from warroom.protocol.metrics import SeriesTable

def _dumps(d: dict[str, Any]) -> bytes:
    return json.dumps(d, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()


class Outgoing:
    """One message, ready to be framed for any connection."""

    def __init__(self, message: Message, table: SeriesTable) -> None:
        self.message = message
        self._tails: dict[str, bytes] = {}
        self._columns: bytes | None = None
        self._head: dict[str, Any] = {}
        if isinstance(message, MetricBatch):
            ids, defs = table.ids(message.series)
            self._ids = ids[message.index] if len(message.index) else np.empty(0, np.int32)
            self._head = {"type": "metrics"}
            if defs:
                self._head["defs"] = defs
            if message.sent_at is not None:
                self._head["sent_at"] = int(message.sent_at)

    @property
    def is_metrics(self) -> bool:
        """True for metric batches (the only message with a binary form)."""
        return isinstance(self.message, MetricBatch)

    def frame(self, encoding: str, seq: int) -> bytes:
        """The frame for a connection that chose ``encoding``, with its ``seq``."""
        if not self.is_metrics:
            return frame_with_seq(self._tail("json"), seq)
        if encoding == "binary":
            if self._columns is None:
                m = self.message
                self._columns = pack_points(self._ids, m.ts, m.values)  # type: ignore[union-attr]
            return pack_frame({"v": PROTOCOL_VERSION, "seq": seq, **self._head}, self._columns)
        return frame_with_seq(self._tail("json"), seq)

    def _tail(self, encoding: str) -> bytes:
        tail = self._tails.get(encoding)
        if tail is None:
            tail = self._tails[encoding] = self._json_metrics() if self.is_metrics else encode_tail(self.message)
        return tail

    def _json_metrics(self) -> bytes:
        m: MetricBatch = self.message  # type: ignore[assignment]
        ts = m.ts
        # One shared timestamp (a tick of a scraper) is sent once, not per point.
        t: Any = int(ts[0]) if len(ts) and (ts == ts[0]).all() else ts.tolist()
        values = m.values
        vals: list[Any] = values.tolist()
        if not np.isfinite(values).all():
            # JSON has no NaN: send null, which the receiver counts as non_finite.
            vals = [v if np.isfinite(v) else None for v in vals]
        body = dict(self._head)
        body["points"] = {"s": self._ids.tolist(), "t": t, "v": vals}
        return _dumps(body)[1:]


def defs_message_frame(table: SeriesTable, encoding: str, seq: int) -> bytes | None:
    """A metrics frame with no points that defines every series so far (for a new client)."""
    defs = table.all_defs()
    if not defs:
        return None
    body = {"type": "metrics", "defs": defs, "points": {"s": [], "t": [], "v": []}}
    return frame_with_seq(_dumps(body)[1:], seq)
