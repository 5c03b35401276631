"""Text from a feed made safe to keep, to draw and to print: no escape acts, nothing reorders."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.language.text import (
    BIDI_CONTROLS,
    describe,
    display_safe,
    isolate,
    normalise,
    terminal_safe,
    unsafe_char,
)

SETTINGS = settings(max_examples=300, deadline=None)

#: The characters that do harm, and some that look alike but do none.
HOSTILE = (
    [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
    + sorted(BIDI_CONTROLS) + ["\u2028", "\u2029", "\ud800", "\udbff", "\udc00", "\udfff"]
)
#: Any text at all, lone surrogates included (st.text leaves them out by default).
any_text = st.text(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from(HOSTILE) | st.sampled_from("\\é上😀\u200d"),
    max_size=60,
)


def is_unsafe(ch: str, newlines_ok: bool = False) -> bool:
    """The definition, written independently of the module's regexes."""
    if newlines_ok and ch in "\n\t":
        return False
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS


def test_the_hostile_characters_are_all_unsafe():
    assert all(is_unsafe(ch) for ch in HOSTILE)
    for ch in HOSTILE:
        assert unsafe_char("ab" + ch) == (2, ch)
    assert unsafe_char("a\nb\tc", allow_newlines=True) is None
    assert unsafe_char("a\rb", allow_newlines=True) == (1, "\r")  # CR forges log lines: never free


@SETTINGS
@given(any_text)
def test_unsafe_char_finds_exactly_the_unsafe_characters(s):
    expected = next(((i, ch) for i, ch in enumerate(s) if is_unsafe(ch)), None)
    assert unsafe_char(s) == expected
    expected = next(((i, ch) for i, ch in enumerate(s) if is_unsafe(ch, newlines_ok=True)), None)
    assert unsafe_char(s, allow_newlines=True) == expected


@SETTINGS
@given(any_text)
def test_terminal_safe_leaves_nothing_that_acts_and_always_encodes(s):
    out = terminal_safe(s)
    assert not any(is_unsafe(ch) for ch in out)
    out.encode("utf-8")
    assert terminal_safe(out) == out  # idempotent
    # Character by character: safe ones stay, in order; each unsafe one becomes a visible escape.
    assert out == "".join(terminal_safe(ch) if is_unsafe(ch) else ch for ch in s)
    for ch in set(s):
        if is_unsafe(ch):
            assert re.fullmatch(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])", terminal_safe(ch)), repr(ch)


def test_terminal_safe_examples():
    assert terminal_safe("plain 上海 😀") == "plain 上海 😀"
    assert terminal_safe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert terminal_safe("\x1b]8;;http://x\x07link\x1b]8;;\x07") == "\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07"
    assert terminal_safe("a\nb\rc\td\x00e") == "a\\nb\\rc\\td\\x00e"
    assert terminal_safe("x\u202egnp.exe") == "x\\u202egnp.exe"
    assert terminal_safe("\x9b2J") == "\\x9b2J"  # C1 CSI
    assert terminal_safe("bad\ud800") == "bad\\ud800"
    s = "clean"
    assert terminal_safe(s) is s


@SETTINGS
@given(any_text, st.booleans())
def test_display_safe_has_no_control_and_no_bidi_control(s, keep_newlines):
    out = display_safe(s, keep_newlines=keep_newlines)
    assert not any(is_unsafe(ch, newlines_ok=keep_newlines) for ch in out)
    assert "\r" not in out
    out.encode("utf-8")
    assert display_safe(out, keep_newlines=keep_newlines) == out
    # Safe characters keep their order; each unsafe one becomes one visible symbol, or nothing.
    if not keep_newlines:
        assert out == "".join(display_safe(ch) if is_unsafe(ch) else ch for ch in s)
        assert all(len(display_safe(ch)) == (ch not in BIDI_CONTROLS) for ch in set(s) if is_unsafe(ch))


def test_display_safe_examples():
    assert display_safe("x\u202egnp.exe") == "xgnp.exe"  # shown as written, not as "xexe.png"
    assert display_safe("\x1b[2J") == "\u241b[2J"  # ␛[2J
    assert display_safe("a\x00b\nc") == "a\u2400b\u240ac"
    assert display_safe("a\r\nb\tc", keep_newlines=True) == "a\nb\tc"
    assert display_safe("a\x85b\ud800") == "a\ufffdb\ufffd"
    assert display_safe("\x7f") == "\u2421"
    s = "上海 trade-core"
    assert display_safe(s) is s


@SETTINGS
@given(any_text)
def test_isolate_cannot_be_closed_early(s):
    out = isolate(s)
    assert out[0] == "\u2068" and out[-1] == "\u2069"
    assert not any(ch in BIDI_CONTROLS for ch in out[1:-1])


@SETTINGS
@given(any_text, st.integers(1, 80))
def test_normalise_keeps_lines_and_cleans_the_rest(s, limit):
    out = normalise(s, limit)
    assert not any(is_unsafe(ch, newlines_ok=True) for ch in out)
    assert len(out) <= limit
    out.encode("utf-8")
    assert normalise(out, limit) == out
    if len(s) <= limit and not any(is_unsafe(ch, newlines_ok=True) for ch in s):
        assert out is s


def test_normalise_examples():
    assert normalise("line 1\r\nline 2\rline 3\n\tend", 100) == "line 1\nline 2\nline 3\n\tend"
    assert normalise("\x1b[31mred", 100) == "\ufffd[31mred"
    assert normalise("x\u202egnp.exe", 100) == "xgnp.exe"
    assert normalise("a\ud800b", 100) == "a\ufffdb"
    assert normalise("x" * 10, 5) == "xxxx\u2026"


def test_describe_names_characters_safely():
    assert describe("\u202e") == "U+202E (bidi control)"
    assert describe("\ud800") == "U+D800 (lone surrogate)"
    assert describe("\x1b") == "U+001B (control)"
    assert describe("a") == "U+0061 (character)"
