"""The report's words and formats."""

from __future__ import annotations

import string

import pytest

from warroom.report.text import EN, ZH, Text, choose_lang
from warroom.report.units import format_tick, format_value

T = 1_731_292_340_000  # 2024-11-11 10:32:20 UTC+8


def test_both_catalogues_have_the_same_keys_and_placeholders():
    assert EN.keys() == ZH.keys()
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    assert {k: fields(v) for k, v in EN.items()} == {k: fields(v) for k, v in ZH.items()}


def test_language_follows_the_option_then_lang():
    assert choose_lang("zh_CN", {"LANG": "en_US.UTF-8"}) == "zh_CN"
    assert choose_lang(None, {"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert choose_lang(None, {"LANG": "de_DE.UTF-8"}) == "en"
    assert choose_lang(None, {}) == "en"
    with pytest.raises(ValueError, match="en, zh_CN"):
        choose_lang("fr")


def test_times_are_local_with_the_offset_written_out():
    assert Text("en").datetime(T) == "2024-11-11 10:32:20 UTC+8"
    assert Text("zh_CN", utc_offset_minutes=0).datetime(T) == "2024-11-11 02:32:20 UTC"
    assert Text("en", utc_offset_minutes=-210).offset == "UTC-3:30"
    assert Text("en").since(T + 111_000, T) == "T+1:51"


def test_durations_in_both_languages():
    en, zh = Text("en"), Text("zh_CN")
    assert [en.duration(s) for s in (0, 20, 60, 111, 7500, None)] == ["0 s", "20 s", "1 min", "1 min 51 s",
                                                                        "2 h 5 min", "—"]
    assert zh.duration(111) == "1 分 51 秒"


def test_values_carry_their_units():
    assert format_value(0.6462, "ratio") == "64.6%"
    assert format_value(0.99303, "ratio") == "99.30%"
    assert format_value(0.35, "seconds") == "350 ms" and format_value(1.36, "seconds") == "1.36 s"
    assert format_value(2489.6, "rate") == "2.5k/s"
    assert format_value(None, "rate") == "—"
    assert format_tick(0.95, "ratio", 0.05) == "95%" and format_tick(0.995, "ratio", 0.005) == "99.5%"
