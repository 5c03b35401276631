"""The language people read: which of a feed's per-language names to show.

Feeds send a default name (``title``) and, optionally, names per language (``titles``:
``{"zh_CN": "工商银行网关"}``, protocol revision 1.1). The console shows one language for the
whole process, chosen once at start (the UI calls ``set_language`` when it installs its
translation), so the choice is process-wide state here rather than an argument threaded
through every panel. Everything defaults to English: tests and tools that never set a
language see the feed's default names.
"""

from __future__ import annotations

from typing import Any, Mapping

#: Languages the console ships a translation for; a feed may send others (they are kept).
LANGUAGES = ("en", "zh_CN")

_language = "en"


def set_language(lang: str) -> None:
    """Show names in ``lang`` from now on (``"en"``, ``"zh_CN"``…)."""
    global _language
    _language = str(lang or "en")


def language() -> str:
    """The language names are shown in."""
    return _language


def pick(default: str, titles: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """``titles[lang]`` when the feed gave one (non-empty text), else ``default``.

    ``zh`` and ``zh_CN`` are the same reader: a feed that says ``zh`` is taken for ``zh_CN``
    and the other way round.
    """
    lang = lang or _language
    if not titles or lang == "en":
        return default
    for key in (lang, lang.split("_")[0]):
        value = titles.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return default


def clean_titles(value: Any) -> dict[str, str]:
    """A per-language map from outside as ``{language: text}``, dropping what is not text."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}
