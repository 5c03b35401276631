"""Channels from configuration: a parsed YAML section or a YAML file.

```yaml
defaults: {min_severity: P2, burst: 3, per_minute: 6}
channels:
  - name: ops-dingtalk
    kind: dingtalk
    url: "https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_TOKEN}"
    secret: "${DINGTALK_SECRET}"
  - name: duty-manager-phone          # the second channel: only missed response targets
    kind: apprise
    url: "pagerduty://${PD_KEY}@${PD_ROUTING}"
    escalation: true
response_targets: {P0: 5, P1: 15, P2: 60}   # minutes to the first acknowledgement
```

A channel marked ``escalation: true`` (or named in a top-level ``escalate_to:`` list) gets
nothing but escalations; see ``warroom.io.notify.escalation``.

``${NAME}`` in any string is replaced by the environment variable ``NAME`` so secrets need
not live in the file. Every mistake raises ``NotifyConfigError`` naming the channel (index
and name) and the field; no secret value is ever part of the message.
"""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any, Mapping

import yaml

from warroom.core.incident.escalation import ResponsePolicy
from warroom.io.notify.channels import KINDS as _OWN_KINDS
from warroom.io.notify.channels import Channel
from warroom.io.notify.model import SEVERITIES, NotifyConfigError, redact_url
from warroom.io.notify.via_apprise import FORMATS, AppriseChannel

KINDS: dict[str, type[Channel]] = {**_OWN_KINDS, AppriseChannel.kind: AppriseChannel}

_COMMON = {
    "name", "kind", "enabled", "min_severity", "states", "burst", "per_minute",
    "dedup_minutes", "digest_minutes", "timeout_s", "escalation",
}  # fmt: skip
_PER_KIND = {
    "webhook": {"url", "headers"},
    "dingtalk": {"url", "secret", "keyword", "at_mobiles", "at_all"},
    "wecom": {"url"},
    "email": {"host", "port", "ssl", "starttls", "username", "password", "from", "to", "subject_prefix"},
    "apprise": {"url", "format"},
}
#: ``response_targets``: minutes to the first acknowledgement per severity; ``escalate_to``: the
#: channels that carry missed targets (``warroom.core.incident.escalation``).
_TOP_LEVEL = {"channels", "defaults", "response_targets", "escalate_to"}
_DEFAULTABLE = {"min_severity", "states", "burst", "per_minute", "dedup_minutes", "digest_minutes", "timeout_s"}
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_FIELDS = {"url", "secret", "password", "headers"}


class _Fields:
    """Typed reads of one channel's mapping; errors name the channel and the field."""

    def __init__(self, where: str, raw: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.where, self.raw, self.env = where, raw, env

    def fail(self, field: str, problem: str) -> NotifyConfigError:
        return NotifyConfigError(f"{self.where}: field {field!r}: {problem}")

    def _expand(self, field: str, value: str) -> str:
        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in self.env:
                raise self.fail(field, f"environment variable {m.group(1)} is not set")
            return self.env[m.group(1)]

        return _ENV_RE.sub(sub, value)

    def str(self, field: str, default: str | None = None, *, required: bool = False) -> str:
        value = self.raw.get(field, default)
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return ""
        if not isinstance(value, str):
            shown = "a value" if field in _SECRET_FIELDS else repr(value)
            raise self.fail(field, f"must be a string, got {shown} ({type(value).__name__})")
        value = self._expand(field, value).strip()
        if required and not value:
            raise self.fail(field, "must not be empty")
        return value

    def bool(self, field: str, default: bool) -> bool:
        value = self.raw.get(field, default)
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, got {value!r}")
        return value

    def number(self, field: str, default: float, *, low: float, low_ok: bool, integer: bool = False) -> float:
        value = self.raw.get(field, default)
        kind = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(field, f"must be {'an integer' if integer else 'a number'}, got {value!r}")
        if value < low or (value == low and not low_ok):
            raise self.fail(field, f"must be {'at least' if low_ok else 'more than'} {low:g}, got {value!r}")
        return value

    def strings(self, field: str) -> tuple[str, ...]:
        value = self.raw.get(field, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(field, "must be a list of non-empty strings")
        return tuple(self._expand(field, v).strip() for v in value)

    def url(self) -> str:
        url = self.str("url", required=True)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail("url", f"must be an http:// or https:// URL, got {redact_url(url)!r}")
        return url

    def severity(self) -> str:
        value = self.raw.get("min_severity", "P2")
        match = {s.lower(): s for s in SEVERITIES}.get(str(value).lower())
        if match is None:
            raise self.fail("min_severity", f"must be one of {', '.join(SEVERITIES)}, got {value!r}")
        return match


def _build(index: int, raw: Any, defaults: Mapping[str, Any], env: Mapping[str, str]) -> Channel | None:
    if not isinstance(raw, Mapping):
        raise NotifyConfigError(f"channels[{index}]: must be a mapping with at least name and kind")
    name = raw.get("name")
    where = f"channels[{index}]" + (f" ({name!r})" if isinstance(name, str) and name else "")
    f = _Fields(where, {**defaults, **raw}, env)
    kind = f.raw.get("kind")
    if kind not in KINDS:
        hint = f" (for other services use kind apprise with an apprise URL, e.g. {kind}://…)" if kind else ""
        raise f.fail("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}{hint}")
    unknown = sorted(set(raw) - _COMMON - _PER_KIND[kind])
    if unknown:
        known = ", ".join(sorted(_COMMON | _PER_KIND[kind]))
        raise f.fail(unknown[0], f"unknown for kind {kind!r} (known: {known})")
    common: dict[str, Any] = dict(
        name=f.str("name", required=True),
        min_severity=f.severity(),
        states=frozenset(f.strings("states")),
        burst=int(f.number("burst", 3, low=1, low_ok=True, integer=True)),
        per_minute=float(f.number("per_minute", 6, low=0, low_ok=False)),
        dedup_ms=int(f.number("dedup_minutes", 30, low=0, low_ok=True) * 60_000),
        digest_ms=int(f.number("digest_minutes", 1, low=0, low_ok=True) * 60_000),
        timeout_s=float(f.number("timeout_s", 10, low=0, low_ok=False)),
        escalation=f.bool("escalation", False),
    )
    if not f.bool("enabled", True):
        return None
    cls = KINDS[kind]
    if kind == "apprise":
        return _apprise_channel(f, common)
    if kind == "email":
        use_ssl, starttls = f.bool("ssl", False), f.bool("starttls", not f.raw.get("ssl", False))
        if use_ssl and starttls:
            raise f.fail("starttls", "cannot be used with ssl: true (implicit TLS); choose one")
        port = int(f.number("port", 465 if use_ssl else 587 if starttls else 25, low=1, low_ok=True, integer=True))
        if port > 65535:
            raise f.fail("port", f"must be at most 65535, got {port}")
        to = f.strings("to")
        if not to:
            raise f.fail("to", "needs at least one address")
        sender = f.str("from", required=True)
        for field, addr in [("from", sender), *(("to", a) for a in to)]:
            if "@" not in addr:
                raise f.fail(field, f"{addr!r} is not an e-mail address")
        username, password = f.str("username"), f.str("password")
        if password and not username:
            raise f.fail("username", "is required when a password is given")
        return cls(
            **common, host=f.str("host", required=True), port=port, ssl=use_ssl, starttls=starttls,
            username=username, password=password, sender=sender, to=to, subject_prefix=f.str("subject_prefix"),
        )  # fmt: skip
    extra: dict[str, Any] = {"url": f.url()}
    if kind == "webhook":
        headers = f.raw.get("headers", {}) or {}
        pairs = headers.items() if isinstance(headers, Mapping) else [(None, None)]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            raise f.fail("headers", "must be a mapping of header names to string values")
        extra["headers"] = tuple((k, f._expand("headers", v)) for k, v in headers.items())
    elif kind == "dingtalk":
        extra.update(
            secret=f.str("secret"), keyword=f.str("keyword"), at_mobiles=f.strings("at_mobiles"),
            at_all=f.bool("at_all", False),
        )  # fmt: skip
    return cls(**common, **extra)


def _apprise_channel(f: _Fields, common: dict[str, Any]) -> AppriseChannel:
    url = f.str("url", required=True)
    scheme = url.partition("://")[0] if "://" in url else ""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise f.fail("url", "must be an apprise URL such as slack://…, feishu://… or mailtos://…")
    fmt = f.str("format", "markdown").lower()
    if fmt not in FORMATS:
        raise f.fail("format", f"must be one of {', '.join(FORMATS)}, got {fmt!r}")
    channel = AppriseChannel(**common, url=url, format=fmt)
    if not channel.usable:  # apprise's reason went to its log (redacted); ours names the field
        raise f.fail("url", f"apprise does not understand this {scheme}:// URL (see apprise's list of services)")
    return channel


def load_channels(config: Mapping[str, Any] | None, *, env: Mapping[str, str] | None = None) -> list[Channel]:
    """Channels from a parsed section ``{"defaults": {...}, "channels": [{...}, ...]}``.

    ``defaults`` (optional) gives common fields (``min_severity``, ``burst``, ``per_minute``,
    ``dedup_minutes``, ``digest_minutes``, ``timeout_s``, ``states``) for every channel.
    Channels with ``enabled: false`` are checked and left out. ``None`` or an empty mapping
    gives no channels. Raises ``NotifyConfigError``.
    """
    env = os.environ if env is None else env
    if config is None:
        return []
    if not isinstance(config, Mapping):
        raise NotifyConfigError("notification config must be a mapping with a 'channels' list")
    unknown = sorted(set(config) - _TOP_LEVEL)
    if unknown:
        raise NotifyConfigError(f"unknown top-level field {unknown[0]!r} (known: {', '.join(sorted(_TOP_LEVEL))})")
    response_targets(config)  # checked here too: a typo there must stop the start like any other
    defaults = config.get("defaults") or {}
    if not isinstance(defaults, Mapping) or set(defaults) - _DEFAULTABLE:
        bad = sorted(set(defaults) - _DEFAULTABLE) if isinstance(defaults, Mapping) else []
        raise NotifyConfigError(
            f"defaults: field {bad[0]!r} cannot be a default (allowed: {', '.join(sorted(_DEFAULTABLE))})"
            if bad else "defaults: must be a mapping"
        )  # fmt: skip
    raw_channels = config.get("channels") or []
    if not isinstance(raw_channels, list):
        raise NotifyConfigError("channels: must be a list of channel mappings")
    channels: list[Channel] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_channels):
        channel = _build(i, raw, defaults, env)
        if channel is None:
            continue
        if channel.name in seen:
            raise NotifyConfigError(f"channels[{i}] ({channel.name!r}): field 'name': another channel has this name")
        seen.add(channel.name)
        channels.append(channel)
    return _mark_escalation(channels, config.get("escalate_to"), seen)


def _mark_escalation(channels: list[Channel], names: Any, known: set[str]) -> list[Channel]:
    """``escalate_to: [name, ...]`` marks those channels ``escalation: true`` (as if each said so)."""
    if names is None:
        return channels
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise NotifyConfigError("escalate_to: must be a list of channel names")
    missing = [n for n in names if n.strip() not in known]
    if missing:
        raise NotifyConfigError(f"escalate_to: no enabled channel is named {missing[0]!r}")
    wanted = {n.strip() for n in names}
    return [dataclasses.replace(ch, escalation=True) if ch.name in wanted else ch for ch in channels]


def response_targets(config: Mapping[str, Any] | None) -> ResponsePolicy | None:
    """The ``response_targets`` of a parsed notification section (minutes per severity, e.g.
    ``{P0: 5, P1: 15, P2: 60}``), or None when it sets none (the console's defaults apply).
    Raises ``NotifyConfigError``."""
    if not isinstance(config, Mapping) or config.get("response_targets") is None:
        return None
    raw = config["response_targets"]
    if not isinstance(raw, Mapping):
        raise NotifyConfigError("response_targets: must be a mapping of severity to minutes, e.g. {P1: 15}")
    try:
        return ResponsePolicy.from_minutes(raw)
    except ValueError as e:
        raise NotifyConfigError(f"response_targets: {e}") from None


def load_channels_file(path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None) -> list[Channel]:
    """Channels from a YAML file: the section itself, or a document with a ``notify:`` key.

    YAML syntax errors are reported with the file name and line.
    """
    doc, p = _read_section(path)
    try:
        return load_channels(doc, env=env)
    except NotifyConfigError as e:
        raise NotifyConfigError(f"{p}: {e}") from None


def load_response_targets_file(path: str | os.PathLike[str]) -> ResponsePolicy | None:
    """The file's ``response_targets`` (see ``response_targets``), None when it sets none."""
    doc, p = _read_section(path)
    try:
        return response_targets(doc)
    except NotifyConfigError as e:
        raise NotifyConfigError(f"{p}: {e}") from None


def _read_section(path: str | os.PathLike[str]) -> tuple[Any, Path]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise NotifyConfigError(f"{p}: cannot read: {e.strerror or e}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise NotifyConfigError(f"{p}:{line}: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise NotifyConfigError(f"{p}: {e}") from None
    if isinstance(doc, Mapping) and "notify" in doc and "channels" not in doc:
        doc = doc["notify"]
    return doc, p
