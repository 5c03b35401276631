"""Text from outside, made safe to keep, to draw on screen and to print on a terminal.

A feed's strings are not trusted. Three kinds of character do harm when they travel on:

* **controls**: C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F) and the Unicode line and
  paragraph separators U+2028/U+2029. On a terminal ESC (U+001B) and CSI (U+009B) start escape
  sequences (colours, cursor moves, OSC 8 links, window titles); NUL truncates C strings; CR and
  LF forge or split log lines.
* **bidi controls**: U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates), U+200E,
  U+200F (marks) and U+061C (Arabic letter mark). They reorder what is drawn: ``"x\\u202egnp.exe"``
  shows as ``xexe.png``.
* **lone surrogates** (U+D800–U+DFFF): a JSON ``"\\ud800"`` escape is valid JSON and makes a
  Python ``str`` that cannot be encoded to UTF-8, so it breaks every writer downstream.

``unsafe_char`` finds them, ``normalise`` cleans free text for keeping (the protocol's policy),
``display_safe`` is for drawing on screen and ``terminal_safe`` for printing. All are pure and
return their argument unchanged (the same object) when it is already clean, after one regex
search, so they cost little on clean text.
"""

from __future__ import annotations

import re

#: Bidi formatting characters: embeddings/overrides, isolates, marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029"
_BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
_SURROGATES = "\\ud800-\\udfff"
#: Any control, bidi control or lone surrogate (``UNSAFE.search(s) is None``: ``s`` is clean).
UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}{_SURROGATES}]")
#: The same, but tab and line feed are allowed (free text may have several lines).
UNSAFE_IN_TEXT = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}{_SURROGATES}]")
_CRLF = re.compile("\r\n?")

REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"


def is_surrogate(ch: str) -> bool:
    """True for a code point U+D800–U+DFFF (in a ``str``, always a lone surrogate)."""
    return "\ud800" <= ch <= "\udfff"


def is_control(ch: str) -> bool:
    """True for C0, DEL, C1 and U+2028/U+2029."""
    return ch <= "\x1f" or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029"


def describe(ch: str) -> str:
    """``"U+202E (bidi control)"``: a character named safely, for error messages."""
    kind = (
        "lone surrogate" if is_surrogate(ch)
        else "bidi control" if ch in BIDI_CONTROLS
        else "control" if is_control(ch)
        else "character"
    )
    return f"U+{ord(ch):04X} ({kind})"


def unsafe_char(s: str, *, allow_newlines: bool = False) -> tuple[int, str] | None:
    """The first control, bidi control or lone surrogate of ``s`` as ``(index, char)``, or None.

    ``allow_newlines`` lets tab and line feed through (free text); CR never passes.
    """
    m = (UNSAFE_IN_TEXT if allow_newlines else UNSAFE).search(s)
    return None if m is None else (m.start(), m.group())


def normalise(s: str, max_len: int) -> str:
    """Free text made safe to keep; ``s`` itself (same object) when it is already clean.

    CR LF and lone CR become LF; tab and LF are kept; other controls and lone surrogates become
    U+FFFD; bidi controls are removed; text longer than ``max_len`` characters is cut to
    ``max_len - 1`` characters plus "…".
    """
    if len(s) <= max_len and UNSAFE_IN_TEXT.search(s) is None:
        return s
    if "\r" in s:
        s = _CRLF.sub("\n", s)
    s = UNSAFE_IN_TEXT.sub(_normal_char, s)
    if len(s) > max_len:
        s = s[: max(0, max_len - 1)] + ELLIPSIS
    return s


def _normal_char(m: re.Match[str]) -> str:
    return "" if m.group() in BIDI_CONTROLS else REPLACEMENT


def display_safe(s: str, *, keep_newlines: bool = False) -> str:
    """Text to draw on screen: controls shown as visible symbols, nothing reorders.

    C0 controls and DEL become their Unicode "control pictures" (ESC → ␛, NUL → ␀, LF → ␊),
    C1 controls and U+2028/U+2029 become U+FFFD, lone surrogates U+FFFD, and bidi controls are
    removed. With ``keep_newlines`` a LF (and a CR LF) stays a line break and a tab stays a tab.
    To embed the result in a longer sentence without its right-to-left letters moving their
    neighbours, wrap it with ``isolate``.
    """
    pattern = UNSAFE_IN_TEXT if keep_newlines else UNSAFE
    if pattern.search(s) is None:
        return s
    if keep_newlines and "\r\n" in s:
        s = s.replace("\r\n", "\n")
    return pattern.sub(_display_char, s)


def _display_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in BIDI_CONTROLS:
        return ""
    if ch <= "\x1f":
        return chr(0x2400 + ord(ch))
    if ch == "\x7f":
        return "\u2421"
    return REPLACEMENT


def isolate(s: str) -> str:
    """``display_safe(s)`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, so that its
    right-to-left letters cannot reorder the text around it (it holds no bidi control that could
    close the isolate early)."""
    return "\u2068" + display_safe(s) + "\u2069"


def terminal_safe(s: str) -> str:
    """Text to print on a terminal or in a log line: one line, no escape can act.

    Every control (including ESC, NUL, CR, LF and tab), every bidi control and every lone
    surrogate is written as a visible escape in Python's notation: ``\\x1b``, ``\\n``, ``\\r``,
    ``\\t``, ``\\x9b``, ``\\u202e``, ``\\ud800``. Backslashes are left as they are. The result is
    printable and encodes to UTF-8.
    """
    if UNSAFE.search(s) is None:
        return s
    return UNSAFE.sub(_terminal_char, s)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _terminal_char(m: re.Match[str]) -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
