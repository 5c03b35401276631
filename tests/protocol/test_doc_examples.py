"""docs/protocol.md stays honest: its examples decode without error, and its numbers match the code.

The ``json`` and ``hex`` blocks of the page are decoded by ONE decoder in page order, as the frames
of one connection: ``seq`` must count up without gaps, a metrics example that uses series ids needs
the ``defs`` example before it, and no point may repeat an earlier one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode, MetricBatch
from warroom.protocol.binary import MAGIC, unpack_frame
from warroom.protocol.codec import DEFAULT_FUTURE_TOLERANCE_MS, DEFAULT_MAX_FRAME_BYTES
from warroom.protocol.messages import ACTIONS, COMMAND_STATES, ENCODINGS, MESSAGE_TYPES, STREAMS
from warroom.protocol.metrics import MAX_SERIES_ID
from warroom.protocol.parse import MIN_TS_MS

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
#: The examples are written around 2026-01-01T00:00:00Z in the feed's time base.
DOC_NOW = 1_767_225_600_000


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)


def frames_in_page_order() -> list[tuple[str, bytes]]:
    """``(lang, frame bytes)`` of every ``json`` and ``hex`` block, in page order."""
    found = re.findall(r"^```(json|hex)\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [(lang, text.encode("utf-8") if lang == "json" else parse_hexdump(text)) for lang, text in found]


def parse_hexdump(text: str) -> bytes:
    """The bytes of a ``hexdump -C`` listing (offset, up to 16 hex bytes, ``|ascii|``; last line: the length)."""
    out = bytearray()
    for line in text.strip().splitlines():
        fields = line.split("|")[0].split()
        offset, hex_bytes = int(fields[0], 16), fields[1:]
        assert offset == len(out), f"hex dump offset {fields[0]} after {len(out)} bytes"
        assert all(re.fullmatch(r"[0-9a-f]{2}", h) for h in hex_bytes), line
        out += bytes.fromhex("".join(hex_bytes))
        if "|" in line:  # the ASCII column must agree with the bytes
            shown = line.split("|")[1]
            chunk = bytes.fromhex("".join(hex_bytes))
            assert shown == "".join(chr(b) if 32 <= b < 127 else "." for b in chunk), line
    assert not fields[1:], "a hexdump -C listing ends with a line holding only the total length"
    return bytes(out)


FRAMES = frames_in_page_order()
JSON_BLOCKS = blocks("json")
HEX_BLOCKS = blocks("hex")


def decode_page() -> list:
    decoder = Decoder()
    return [decoder.decode(frame, now_ms=DOC_NOW) for _, frame in FRAMES]


def test_the_document_has_examples():
    assert len(JSON_BLOCKS) >= len(MESSAGE_TYPES)
    assert len(HEX_BLOCKS) >= 1
    assert len(FRAMES) == len(JSON_BLOCKS) + len(HEX_BLOCKS)


def test_all_examples_decode_cleanly_as_one_connection_in_page_order():
    for (lang, frame), result in zip(FRAMES, decode_page()):
        assert result.errors == [], f"{lang} example gives {result.errors}:\n{frame[:300]!r}"
        assert result.message is not None


@pytest.mark.parametrize("text", JSON_BLOCKS, ids=[f"json-{i}" for i in range(len(JSON_BLOCKS))])
def test_json_examples_are_standard_json(text):
    # Examples are shown as senders must write them: no NaN/Infinity literals.
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard literal {c} in an example"))


def test_server_seq_counts_up_by_one_in_page_order():
    seqs = [r.seq for r in decode_page() if r.seq is not None]
    assert seqs == list(range(1, len(seqs) + 1))


def test_every_message_type_action_and_state_has_an_example():
    objs = [json.loads(b) for b in JSON_BLOCKS]
    assert {o["type"] for o in objs} == set(MESSAGE_TYPES)
    assert {o["action"] for o in objs if o["type"] == "command"} == set(ACTIONS)
    assert {o["state"] for o in objs if o["type"] == "command_result"} == set(COMMAND_STATES)
    metrics = [o for o in objs if o["type"] == "metrics"]
    assert any("series" in o for o in metrics), "no frame-local example"
    assert any("defs" in o and not o["points"]["s"] for o in metrics), "no definitions-only example"
    assert any("series" not in o and isinstance(o["points"]["t"], int) for o in metrics), "no ids + scalar t example"
    subs = [o for o in objs if o["type"] == "subscribe"]
    assert any(set(o.get("encodings", [])) == set(ENCODINGS) for o in subs)


def test_the_ids_example_needs_the_defs_example_before_it():
    ids_example = next(
        b for b in JSON_BLOCKS if '"type": "metrics"' in b and '"series"' not in b and '"s": []' not in b
    )
    result = Decoder().decode(ids_example, now_ms=DOC_NOW)  # alone, on a fresh connection
    # Alone, only id 4 (defined in the frame itself) is known: the points of ids 0-3 are refused.
    assert [k.name for k, _, _ in result.message.points()] == ["edge_error_ratio"]
    assert {e.code for e in result.errors} == {ErrorCode.BAD_FIELD}
    assert sum(e.count for e in result.errors) == 4


def test_the_binary_example_decodes_to_the_points_the_text_gives():
    (frame,) = [f for lang, f in FRAMES if lang == "hex"]
    assert frame[:4] == MAGIC and len(frame) == 110
    header, s, t, v = unpack_frame(frame)
    assert header == {"v": 1, "seq": 5, "type": "metrics", "sent_at": DOC_NOW, "n": 2}
    assert s.tolist() == [2, 3] and t.tolist() == [DOC_NOW, DOC_NOW] and v.tolist() == [1195.5, 0.9969]

    index = [i for i, (lang, _) in enumerate(FRAMES) if lang == "hex"][0]
    result = decode_page()[index]
    batch = result.message
    assert isinstance(batch, MetricBatch) and result.seq == 5 and batch.sent_at == DOC_NOW
    assert batch.points() == [
        (SeriesKey("scenario_tps", {"scenario": "qr-pay"}), DOC_NOW, 1195.5),
        (SeriesKey("scenario_success_ratio", {"scenario": "qr-pay"}), DOC_NOW, 0.9969),
    ]
    assert batch.index.dtype == np.int32 and batch.ts.dtype == np.int64 and batch.values.dtype == np.float64


def test_the_binary_example_is_what_the_server_code_writes():
    from warroom.protocol.metrics import SeriesTable
    from warroom.protocol.outgoing import Outgoing

    table = SeriesTable()
    defs = json.loads(next(b for b in JSON_BLOCKS if '"defs"' in b and '"s": []' in b))["defs"]
    keys = [SeriesKey(d["name"], d["labels"]) for d in defs]
    table.ids(tuple(keys))
    batch = MetricBatch((keys[2], keys[3]), [0, 1], [DOC_NOW, DOC_NOW], [1195.5, 0.9969], sent_at=DOC_NOW)
    out = Outgoing(batch, table)
    assert out.frame("binary", 5) == parse_hexdump(HEX_BLOCKS[0])
    # ... and the JSON twin quoted in the text.
    assert out.frame("json", 5).decode() in DOC.read_text(encoding="utf-8")


def test_invalid_examples_are_refused():
    frames = [b for b in blocks("text") if b.lstrip().startswith("{")]
    assert frames
    for text in frames:
        result = Decoder().decode(text, now_ms=DOC_NOW)
        assert result.errors, f"documented as invalid but decodes cleanly:\n{text}"


def test_the_first_invalid_example_gives_what_the_text_says():
    metrics = next(b for b in blocks("text") if '"type":"metrics"' in b)
    result = Decoder().decode(metrics, now_ms=DOC_NOW)
    assert len(result.message) == 1
    assert sorted((e.code.value, e.count) for e in result.errors) == [
        ("bad_field", 1), ("bad_timestamp", 1), ("non_finite", 1)
    ]


def test_the_invalid_ids_example_gives_what_the_text_says():
    metrics = next(b for b in blocks("text") if '"defs"' in b)
    result = Decoder().decode(metrics, now_ms=DOC_NOW)
    assert result.message.points() == [(SeriesKey("scenario_tps", {"scenario": "qr-pay"}), 1767225598000, 1201.5)]
    assert {e.code for e in result.errors} == {ErrorCode.BAD_FIELD}
    assert sum(e.count for e in result.errors) == 3


def test_every_error_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for code in ErrorCode:
        assert f"| `{code.value}` |" in text, f"error code {code.value} missing from the table"


def test_documented_limits_and_names_match_the_code():
    text = DOC.read_text(encoding="utf-8")
    assert DEFAULT_MAX_FRAME_BYTES == 4 * 1024 * 1024 and "4,194,304 bytes" in text
    assert DEFAULT_FUTURE_TOLERANCE_MS == 300_000 and "300,000 ms" in text
    assert f"{MIN_TS_MS:,}" in text
    assert MAX_SERIES_ID == 2**20 and f"{MAX_SERIES_ID:,}" in text and f"{MAX_SERIES_ID}" in text
    for stream in STREAMS:
        assert f"`{stream}`" in text
    for encoding in ENCODINGS:
        assert f"`{encoding}`" in text
