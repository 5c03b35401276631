"""What every executor shares: errors, snapshots, templates, secrets masking, the protocol.

An executor acts on one kind of real system (``http``, ``sentinel``, ``istio``, ``command``).
The ``PlanRunner`` (``runner.py``) drives it in a fixed order, so guardrails, the ledger and
the audit events live in one place and each executor only knows its own system:

1. ``targets(ctx)``: the target texts the allow-list must cover (checked before anything is read);
2. ``read(ctx) -> Snapshot``: the live state and a version token (content hash or K8s
   ``resourceVersion``);
3. ``draft(ctx, snapshot) -> Draft``: pure; the CHANGE a person sees (protocol 1.3 item 1) and
   what ``apply`` will write;
4. ``guard(ctx, draft, limits)``: the value guardrails (lowest QPS, largest weight shift);
5. ``apply(ctx, draft, snapshot, progress)``: checks the precondition (state unchanged since
   ``read``) and writes, telling ``progress`` before each write so a timeout or a failure
   half-way knows that something may have been written;
6. ``rollback(ctx, snapshot, change, progress)``: restores what ``read`` saw.

Templates: option strings may use ``{plan.id}``, ``{plan.kind}``, ``{target}`` (the plan's
target name), ``{params.NAME}``, ``{key}`` (the idempotency key), ``{secret.NAME}`` and, for
a staged shift (``warroom.core.plan.stages``), the stage being applied: ``{stage.fraction}``
(0..1), ``{stage.percent}`` (0..100), ``{stage.weight}`` / ``{stage.rest}`` (whole percents
for route weights: the share moved and the share left, adding up to 100), ``{stage.name}``,
``{stage.index}``, ``{stage.of}``. A plan run whole is the stage ``all`` (fraction 1). A
secret is only allowed where the type says (HTTP headers, a command's environment) and shows
as ``***`` in every CHANGE, message, event and log line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

#: What a masked secret looks like everywhere a person (or a log) can see it.
MASK = "***"
#: ``{name}`` or ``{name.path.to.value}``; ``{{`` and ``}}`` are literal braces.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*)\}")
#: Roots a template may name; ``snapshot`` only in an http rollback request.
ROOTS = ("plan", "target", "params", "key", "secret", "snapshot", "stage")
_PLAN_FIELDS = ("id", "kind", "title", "target", "target_kind")
STAGE_FIELDS = ("fraction", "percent", "weight", "rest", "name", "index", "of")


class ExecError(Exception):
    """An executor could not do its job; the message says what, for a person (no secrets)."""


class PreconditionFailed(ExecError):
    """The live state moved since it was read: nothing was written."""


class GuardrailError(ExecError):
    """The site's limits or allow-list forbid this change: nothing was read or written."""


class SecretSource(Protocol):
    """What executors need from ``warroom.gateway.secrets.Secrets``."""

    def get(self, name: str) -> str: ...


@dataclass(frozen=True)
class Snapshot:
    """The live state an executor read, as JSON, and its version token."""

    state: Any
    version: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (the ledger keeps it so a rollback after a restart can restore it)."""
        return {"state": self.state, "version": self.version}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Snapshot":
        """Inverse of ``to_json``."""
        return cls(d.get("state"), str(d.get("version", "")))


@dataclass
class Draft:
    """The change an executor would make: ``change`` is the CHANGE a person sees (secrets
    masked); ``payload`` is what ``apply`` writes (type-specific; may hold secrets, never shown)."""

    change: dict[str, Any]
    payload: Any = None


@dataclass
class Progress:
    """What ``apply``/``rollback`` did so far. ``writing`` is set before each write request
    is sent: a run that fails or times out after that may have changed the real system."""

    writing: bool = False
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def before_write(self) -> None:
        """Call just before sending a request that changes the real system."""
        self.writing = True

    def wrote(self, what: str) -> None:
        """Record a write the system confirmed."""
        self.written.append(what)


@dataclass
class Context:
    """Everything an executor may use for one run of one plan."""

    plan: Any  # warroom.core.plan.plans.Plan
    options: Mapping[str, Any]
    key: str
    secrets: SecretSource | None
    session: Any  # aiohttp.ClientSession
    timeout_s: float = 10.0
    masker: "Masker" = field(default_factory=lambda: Masker(()))
    #: The stage a staged shift applies now (``{index, of, name, fraction}``); None: the whole plan.
    stage: Mapping[str, Any] | None = None

    def vars(self, snapshot: Any = None) -> dict[str, Any]:
        """The values templates may name (secrets are looked up lazily)."""
        plan = self.plan
        return {
            "plan": {f: getattr(plan, f) for f in _PLAN_FIELDS},
            "target": plan.target,
            "params": dict(plan.params),
            "key": self.key,
            "snapshot": snapshot,
            "stage": stage_vars(self.stage),
        }

    def render(self, value: Any, *, secrets: bool = False, reveal: bool = False, snapshot: Any = None,
               where: str = "") -> Any:
        """``value`` with its templates filled in. ``secrets``: ``{secret.X}`` is allowed here;
        ``reveal``: put the real secret in (for the request sent), else ``***`` (for CHANGE)."""
        source = (self.secrets if self.secrets is not None else _NO_SECRETS) if reveal else None
        return render(value, self.vars(snapshot), secrets=source, allow_secrets=secrets, where=where)


def stage_vars(stage: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``{stage.*}`` template values. ``weight`` is the fraction in whole percents, at least
    1 for a stage that moves anything (route weights have no smaller step: 1/256 sends 1%)."""
    if stage is None:
        stage = {"index": 0, "of": 1, "name": "all", "fraction": 1.0}
    fraction = float(stage.get("fraction", 1.0))
    weight = int(round(fraction * 100))
    if fraction > 0 and weight == 0:
        weight = 1
    return {"fraction": fraction, "percent": fraction * 100.0, "weight": weight, "rest": 100 - weight,
            "name": str(stage.get("name", "")), "index": int(stage.get("index", 0)), "of": int(stage.get("of", 1))}


class _NoSecrets:
    """The gateway has no secrets file: every secret is missing (never sent as ``***``)."""

    def get(self, name: str) -> str:
        raise KeyError(name)


_NO_SECRETS = _NoSecrets()


class Masker:
    """Replaces every known secret value in text or JSON by ``***``."""

    def __init__(self, values: tuple[str, ...] | list[str]) -> None:
        # longest first, so a secret that contains another is masked whole
        self.values = tuple(sorted({v for v in values if v}, key=len, reverse=True))

    def masks(self) -> bool:
        """Whether there is anything to mask (nothing: ``json`` returns its value as it is)."""
        return bool(self.values)

    def text(self, text: str) -> str:
        """``text`` with every secret value masked."""
        for v in self.values:
            text = text.replace(v, MASK)
        return text

    def json(self, value: Any) -> Any:
        """A copy of JSON ``value`` with every secret value masked in every string."""
        if not self.masks():
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.json(v) for v in value]
        return value


def secret_names(value: Any) -> set[str]:
    """Names of the secrets a template (or nested options) uses."""
    out: set[str] = set()
    for text in _strings(value):
        for m in _PLACEHOLDER.finditer(text):
            name = m.group(1)
            if name and name.startswith("secret."):
                out.add(name.split(".", 1)[1])
    return out


def placeholders(text: str) -> list[str]:
    """The names inside ``{...}`` in ``text`` (``secret.TOKEN``, ``params.count``...)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1)]


def check_template(value: Any, where: str, *, secrets: bool = False, snapshot: bool = False) -> list[str]:
    """Problems with the templates in ``value`` (unknown roots, secrets where not allowed)."""
    problems = []
    for text in _strings(value):
        if _PLACEHOLDER.sub("", text).count("{") or _PLACEHOLDER.sub("", text).count("}"):
            problems.append(f"{where}: unbalanced braces in {text!r} (write {{{{ or }}}} for a literal brace)")
        for name in placeholders(text):
            root, _, rest = name.partition(".")
            if root not in ROOTS or (root in ("plan", "params", "secret", "snapshot", "stage") and not rest):
                problems.append(f"{where}: unknown placeholder {{{name}}} (use {{plan.id}}, {{target}}, "
                                "{params.NAME}, {key} or {secret.NAME})")
            elif root == "plan" and rest not in _PLAN_FIELDS:
                problems.append(f"{where}: unknown placeholder {{{name}}} (plan fields: {', '.join(_PLAN_FIELDS)})")
            elif root == "stage" and rest not in STAGE_FIELDS:
                problems.append(f"{where}: unknown placeholder {{{name}}} (stage fields: {', '.join(STAGE_FIELDS)})")
            elif root == "secret" and not secrets:
                problems.append(f"{where}: {{{name}}}: secrets are only allowed in headers and env")
            elif root == "snapshot" and not snapshot:
                problems.append(f"{where}: {{{name}}}: the snapshot is only available to a rollback request")
    return problems


def render(value: Any, variables: Mapping[str, Any], *, secrets: SecretSource | None = None,
           allow_secrets: bool = False, where: str = "") -> Any:
    """Fill the templates of ``value`` (a string, or lists/mappings of them, recursively).

    A string that is exactly one placeholder takes the value's own type (``"{params.count}"``
    gives the number 500), so numbers stay numbers in rules and bodies. ``{secret.X}`` gives
    the secret from ``secrets`` or ``***`` when ``secrets`` is None; it is an ``ExecError``
    unless ``allow_secrets``.
    """
    if isinstance(value, str):
        return _render_text(value, variables, secrets, allow_secrets, where)
    if isinstance(value, Mapping):
        return {str(k): render(v, variables, secrets=secrets, allow_secrets=allow_secrets, where=f"{where}.{k}")
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v, variables, secrets=secrets, allow_secrets=allow_secrets, where=f"{where}[{i}]")
                for i, v in enumerate(value)]
    return value


def _render_text(text: str, variables: Mapping[str, Any], secrets: SecretSource | None,
                 allow_secrets: bool, where: str) -> Any:
    def lookup(name: str) -> Any:
        root, _, rest = name.partition(".")
        if root == "secret":
            if not allow_secrets:
                raise ExecError(f"{where}: {{{name}}}: secrets are only allowed in headers and env")
            if secrets is None:
                return MASK
            try:
                return secrets.get(rest)
            except KeyError:
                raise ExecError(f"{where}: secret {rest!r} is not in the secrets file") from None
        if root not in variables:
            raise ExecError(f"{where}: unknown placeholder {{{name}}}")
        value = variables[root]
        for part in rest.split(".") if rest else ():
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise ExecError(f"{where}: {{{name}}}: no {part!r} in {root}")
        return value

    whole = _PLACEHOLDER.fullmatch(text)
    if whole and whole.group(1):
        return lookup(whole.group(1))

    def one(m: re.Match) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        value = lookup(m.group(1))
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) \
            else _scalar(value)

    return _PLACEHOLDER.sub(one, text)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def canonical(value: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces): the input of version hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(value: Any) -> str:
    """A version token for state that has none of its own: sha256 of its canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical(value).encode()).hexdigest()


def change_doc(executor: str, summary: str, target: str, requests: list[dict[str, Any]],
               before: Any, after: Any, warnings: list[str] | None = None) -> dict[str, Any]:
    """A CHANGE (protocol 1.3 item 1)."""
    return {"executor": executor, "summary": summary, "target": target, "requests": requests,
            "before": before, "after": after, "warnings": list(warnings or [])}


def allowed(target: str, allow: tuple[str, ...]) -> bool:
    """True if ``target`` starts with one of the allow-list prefixes."""
    return any(target.startswith(prefix) for prefix in allow)


class Executor(Protocol):
    """One executor type (module docstring: the order the runner calls these)."""

    type: str
    #: True if this plan's options let ``rollback`` undo an apply.
    def can_rollback(self, options: Mapping[str, Any]) -> bool: ...
    def targets(self, ctx: Context, snapshot: Snapshot | None = None) -> list[str]: ...
    async def read(self, ctx: Context) -> Snapshot: ...
    def draft(self, ctx: Context, snapshot: Snapshot) -> Draft: ...
    def guard(self, ctx: Context, draft: Draft, limits: Any) -> None: ...
    async def apply(self, ctx: Context, draft: Draft, snapshot: Snapshot, progress: Progress) -> dict[str, Any]: ...
    async def rollback(self, ctx: Context, snapshot: Snapshot, change: Mapping[str, Any],
                       progress: Progress) -> dict[str, Any]: ...


def opt_list(options: Mapping[str, Any], key: str) -> list:
    """``options[key]`` as a list (absent: empty)."""
    value = options.get(key)
    return list(value) if isinstance(value, (list, tuple)) else []


async def send(session: Any, method: str, url: str, *, shown_url: str | None = None, **kwargs: Any) -> tuple[int, str]:
    """One HTTP request through ``session``; ``(status, body text)``. A refused connection,
    a reset or a bad address is an ``ExecError`` naming ``shown_url`` (never a header value)."""
    import aiohttp  # here, so the pure parts of this module import without it

    try:
        async with session.request(method, url, **kwargs) as resp:
            body = await resp.content.read(_MAX_BODY + 1)
            if len(body) > _MAX_BODY:
                raise ExecError(f"{method} {shown_url or url}: answer larger than {_MAX_BODY // 1024} KiB")
            return resp.status, body.decode("utf-8", "replace")
    except aiohttp.ClientError as exc:
        raise ExecError(f"{method} {shown_url or url}: {type(exc).__name__}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise ExecError(f"{method} {shown_url or url}: {exc}") from None


_MAX_BODY = 4 * 1024 * 1024


def parse_json(text: str, what: str) -> Any:
    """JSON from a system's answer, or an ``ExecError`` saying ``what`` was not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        raise ExecError(f"{what}: the answer is not JSON: {text[:120]!r}") from None


def short(text: str, n: int = 200) -> str:
    """``text`` on one line, at most ``n`` characters (for error messages)."""
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
