"""Bodies and addresses for the bus: metric batches split under ``max_payload``, URLs made safe to log."""

from __future__ import annotations

import numpy as np

from warroom.protocol import MetricBatch, encode


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@`` (NATS URLs may carry credentials)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host = rest.rpartition("@")[2] if "@" in rest.split("/", 1)[0] else rest
    return f"{scheme}{sep}{'***@' if host != rest else ''}{host}"



def split_batch(batch: MetricBatch, limit: int) -> list[bytes]:
    """``batch`` as ``metrics`` frames of at most ``limit`` bytes each, every point in exactly one
    frame, each frame carrying only its own series. ``ValueError`` for a single point that does
    not fit (a series with labels larger than the limit)."""
    body = encode(batch)
    if len(body) <= limit:
        return [body]
    n = len(batch)
    if n <= 1:
        raise ValueError(f"one point makes a frame of {len(body)} bytes, over {limit}")
    parts = min(n, -(-len(body) // limit) + 1)  # a guess; a part still too big is split again
    out: list[bytes] = []
    for chunk in np.array_split(np.arange(n), parts):
        out.extend(split_batch(_sub_batch(batch, chunk), limit))
    return out


def _sub_batch(batch: MetricBatch, rows: np.ndarray) -> MetricBatch:
    idx = batch.index[rows]
    used, local = np.unique(idx, return_inverse=True)
    return MetricBatch(tuple(batch.series[i] for i in used.tolist()), local, batch.ts[rows], batch.values[rows],
                       batch.sent_at)
