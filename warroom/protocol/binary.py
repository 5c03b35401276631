"""Binary metrics frames: a small JSON header plus the points as three raw columns.

JSON is the protocol's lingua franca, but parsing numbers out of JSON costs far more
than receiving them. A client that says ``"encodings": ["binary", "json"]`` in its
subscribe gets metric batches as websocket *binary* messages laid out as::

    offset 0        4 bytes    magic b"WRB1"
    offset 4        4 bytes    header length H, unsigned 32-bit little-endian
    offset 8        H bytes    UTF-8 JSON header: the metrics envelope without "points",
                               plus "n", the number of points
    offset 8+H      4n bytes   s: series ids, signed 32-bit little-endian
    then            8n bytes   t: timestamps (epoch ms), signed 64-bit little-endian
    then            8n bytes   v: values, IEEE 754 binary64 little-endian (NaN allowed,
                               and counted as non_finite by the receiver)

Any language can read it with a few lines and no library; the columns land in memory
ready for the store without a per-point parse.
"""

from __future__ import annotations

import json
import struct

import numpy as np

MAGIC = b"WRB1"
_PREAMBLE = struct.Struct("<4sI")
_POINT_BYTES = 4 + 8 + 8
_HEADER = json.JSONDecoder()


class BinaryFrameError(ValueError):
    """The binary frame is not a well-formed WRB1 frame."""


def is_binary_frame(frame: bytes | bytearray | memoryview | str) -> bool:
    """True if ``frame`` starts with the binary magic."""
    return not isinstance(frame, str) and bytes(frame[:4]) == MAGIC


def pack_points(index: np.ndarray, ts: np.ndarray, values: np.ndarray) -> bytes:
    """The three columns of a batch, as they follow the header (shared by every connection)."""
    return (
        np.asarray(index, dtype="<i4").tobytes()
        + np.asarray(ts, dtype="<i8").tobytes()
        + np.asarray(values, dtype="<f8").tobytes()
    )


def pack_frame(header: dict, columns: bytes) -> bytes:
    """A complete binary frame from an envelope dict (without ``points``) and packed columns."""
    n = len(columns) // _POINT_BYTES
    head = json.dumps({**header, "n": n}, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()
    return _PREAMBLE.pack(MAGIC, len(head)) + head + columns


def unpack_frame(
    frame: bytes | bytearray | memoryview, *, copy: bool = False,
) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """Split a binary frame into its header dict and columns ``(s, t, v)``.

    The columns are read-only views of ``frame``; with ``copy`` they are writable copies,
    aligned for fast arithmetic (the views are not: the header's length is arbitrary), made
    with one copy of the frame's column bytes.

    Raises ``BinaryFrameError`` when the frame is cut short, its header is not a JSON
    object with an integer ``n``, or its length does not match ``n`` points.
    """
    view = memoryview(frame)
    if len(view) < _PREAMBLE.size:
        raise BinaryFrameError("binary frame shorter than its 8-byte preamble")
    magic, hlen = _PREAMBLE.unpack_from(view)
    if magic != MAGIC:
        raise BinaryFrameError(f"unknown binary frame magic {bytes(magic)!r}")
    end = _PREAMBLE.size + hlen
    if end > len(view):
        raise BinaryFrameError(f"header length {hlen} runs past the end of a {len(view)}-byte frame")
    try:
        # UTF-8 as the format says (json.loads of bytes would first guess among UTF-8/16/32).
        header = _HEADER.decode(str(view[_PREAMBLE.size:end], "utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BinaryFrameError(f"header is not JSON: {str(exc)[:120]}") from None
    n = header.get("n") if isinstance(header, dict) else None
    if type(n) is not int or n < 0:
        raise BinaryFrameError("header needs \"n\", the number of points, as a non-negative integer")
    if len(view) - end != n * _POINT_BYTES:
        raise BinaryFrameError(f"{len(view) - end} bytes of columns for n={n} points (expected {n * _POINT_BYTES})")
    if copy:
        # s takes 4n bytes: start it 4 bytes in when n is odd, so that t and v start on 8.
        pad = 4 * (n & 1)
        buf = np.empty(pad + n * _POINT_BYTES, dtype=np.uint8)
        buf[pad:] = np.frombuffer(view, np.uint8, n * _POINT_BYTES, end)
        # Views of buf (ours alone): writable, and no buffer protocol round trip per column.
        return (header, buf[pad:pad + 4 * n].view("<i4"), buf[pad + 4 * n:pad + 12 * n].view("<i8"),
                buf[pad + 12 * n:].view("<f8"))
    s = np.frombuffer(view, "<i4", n, end)
    t = np.frombuffer(view, "<i8", n, end + 4 * n)
    v = np.frombuffer(view, "<f8", n, end + 12 * n)
    return header, s, t, v
