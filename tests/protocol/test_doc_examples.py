"""docs/protocol.md stays honest: its JSON examples decode without error, and its numbers match the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from warroom.protocol import Decoder, ErrorCode
from warroom.protocol.codec import DEFAULT_FUTURE_TOLERANCE_MS, DEFAULT_MAX_FRAME_BYTES
from warroom.protocol.messages import ACTIONS, COMMAND_STATES, MESSAGE_TYPES, STREAMS
from warroom.protocol.parse import MIN_TS_MS

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
#: The examples are written around 2026-01-01T00:00:00Z in the feed's time base.
DOC_NOW = 1_767_225_600_000


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)


JSON_BLOCKS = blocks("json")


def test_the_document_has_examples():
    assert len(JSON_BLOCKS) >= len(MESSAGE_TYPES)


@pytest.mark.parametrize("text", JSON_BLOCKS, ids=[f"json-{i}" for i in range(len(JSON_BLOCKS))])
def test_json_example_decodes_cleanly(text):
    result = Decoder().decode(text.encode("utf-8"), now_ms=DOC_NOW)
    assert result.errors == []
    assert result.message is not None
    # Examples are shown as senders must write them: no NaN/Infinity literals.
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard literal {c} in an example"))


def test_every_message_type_action_and_state_has_an_example():
    objs = [json.loads(b) for b in JSON_BLOCKS]
    assert {o["type"] for o in objs} == set(MESSAGE_TYPES)
    assert {o["action"] for o in objs if o["type"] == "command"} == set(ACTIONS)
    assert {o["state"] for o in objs if o["type"] == "command_result"} == set(COMMAND_STATES)


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


def test_every_error_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for code in ErrorCode:
        assert f"| `{code.value}` |" in text, f"error code {code.value} missing from the table"


def test_documented_limits_and_names_match_the_code():
    text = DOC.read_text(encoding="utf-8")
    assert DEFAULT_MAX_FRAME_BYTES == 4 * 1024 * 1024 and "4,194,304 bytes" in text
    assert DEFAULT_FUTURE_TOLERANCE_MS == 300_000 and "300,000 ms" in text
    assert f"{MIN_TS_MS:,}" in text
    for stream in STREAMS:
        assert f"`{stream}`" in text
