"""A templated HTTP request: the plan's action on any system with an HTTP API.

Success is a status in ``ok_status`` (default: any 2xx) and, when ``json_path`` is given, the
answer's JSON value at that dotted path equal to ``equals`` (or present and not false/null
without ``equals``). An optional ``read`` request's JSON answer is the snapshot: the
precondition re-reads it just before the write and refuses if its hash moved. An optional
``rollback`` request undoes the action; it may name the snapshot (``{snapshot.replicas}``).
Without one, rollback is refused.

Options::

    method: POST
    url: "https://ops.example.com/api/flags/{target}"
    headers: {Authorization: "Bearer {secret.ops_token}"}   # secrets only here
    json: {enabled: false, reason: "warroom {plan.id} {key}"}
    ok_status: [200, 204]
    json_path: result.status
    equals: ok
    read: {url: "https://ops.example.com/api/flags/{target}"}
    rollback: {method: PUT, url: "...", json: {enabled: "{snapshot.enabled}"}}
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from warroom.gateway.executors.base import (
    Context, Draft, ExecError, PreconditionFailed, Progress, Snapshot, change_doc, check_template,
    content_hash, parse_json, send, short)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_REQUEST_KEYS = ("method", "url", "headers", "json", "ok_status", "json_path", "equals")
_KEYS = (*_REQUEST_KEYS, "read", "rollback")
_NOTHING = object()


def check(options: Mapping[str, Any]) -> list[str]:
    """Problems with an http executor's options."""
    problems = [f"{k}: unknown key (http takes {', '.join(_KEYS)})" for k in options if k not in _KEYS]
    problems += _check_request(options, "", default_method="POST")
    for sub in ("read", "rollback"):
        if sub in options:
            spec = options[sub]
            if not isinstance(spec, Mapping):
                problems.append(f"{sub}: a request mapping (method, url, headers...) is required")
                continue
            problems += [f"{sub}.{k}: unknown key (a request takes {', '.join(_REQUEST_KEYS)})"
                         for k in spec if k not in _REQUEST_KEYS]
            problems += _check_request(spec, f"{sub}.", default_method="GET" if sub == "read" else "POST",
                                       snapshot=sub == "rollback")
    return problems


def _check_request(spec: Mapping[str, Any], where: str, default_method: str, snapshot: bool = False) -> list[str]:
    problems = []
    url = spec.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append(f"{where}url: an http:// or https:// URL is required")
    else:
        problems += check_template(url, f"{where}url", snapshot=snapshot)
    method = spec.get("method", default_method)
    if not isinstance(method, str) or method.upper() not in METHODS:
        problems.append(f"{where}method: one of {', '.join(METHODS)} (got {method!r})")
    headers = spec.get("headers", {})
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in headers.values()):
        problems.append(f"{where}headers: a mapping of header name to text is required")
    else:
        problems += check_template(headers, f"{where}headers", secrets=True, snapshot=snapshot)
    if "json" in spec:
        problems += check_template(spec["json"], f"{where}json", snapshot=snapshot)
    ok = spec.get("ok_status")
    if ok is not None and (not isinstance(ok, (list, tuple)) or not ok
                           or not all(isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in ok)):
        problems.append(f"{where}ok_status: a list of HTTP status codes is required (got {ok!r})")
    if "equals" in spec and "json_path" not in spec:
        problems.append(f"{where}equals: needs json_path")
    if "json_path" in spec and (not isinstance(spec["json_path"], str) or not spec["json_path"]):
        problems.append(f"{where}json_path: a dotted path such as result.status is required")
    return problems


class HttpExecutor:
    """See the module docstring."""

    type = "http"

    def can_rollback(self, options: Mapping[str, Any]) -> bool:
        """Only with a ``rollback`` request."""
        return isinstance(options.get("rollback"), Mapping)

    def targets(self, ctx: Context, snapshot: Snapshot | None = None) -> list[str]:
        """``http:URL`` of every request this plan may send."""
        out = [f"http:{ctx.render(ctx.options['url'], where='url')}"]
        if isinstance(ctx.options.get("read"), Mapping):
            out.append(f"http:{ctx.render(ctx.options['read']['url'], where='read.url')}")
        if snapshot is not None and self.can_rollback(ctx.options):
            out.append(f"http:{ctx.render(ctx.options['rollback']['url'], snapshot=snapshot.state, where='rollback.url')}")
        return out

    def request(self, ctx: Context, spec: Mapping[str, Any], where: str, *, reveal: bool,
                snapshot: Any = None, default_method: str = "POST") -> dict[str, Any]:
        """The request ``spec`` describes, templates filled (secrets real only if ``reveal``)."""
        req: dict[str, Any] = {
            "method": str(spec.get("method", default_method)).upper(),
            "url": ctx.render(spec["url"], snapshot=snapshot, where=f"{where}url"),
            "headers": {str(k): str(v) for k, v in ctx.render(dict(spec.get("headers") or {}), secrets=True,
                                                                reveal=reveal, snapshot=snapshot,
                                                                where=f"{where}headers").items()},
        }
        if "json" in spec:
            req["json"] = ctx.render(spec["json"], snapshot=snapshot, where=f"{where}json")
        return req

    async def read(self, ctx: Context) -> Snapshot:
        """The ``read`` request's JSON answer (no ``read``: nothing to snapshot)."""
        if not isinstance(ctx.options.get("read"), Mapping):
            return Snapshot(None, "")
        state = await self._read(ctx)
        return Snapshot(state, content_hash(state))

    async def _read(self, ctx: Context) -> Any:
        spec = ctx.options["read"]
        req = self.request(ctx, spec, "read.", reveal=True, default_method="GET")
        status, text = await self._send(ctx, req)
        _check_answer(spec, req, status, text)
        return parse_json(text, f"{req['method']} {req['url']}")

    def draft(self, ctx: Context, snapshot: Snapshot) -> Draft:
        """The one request, as a person sees it (secrets masked)."""
        shown = self.request(ctx, ctx.options, "", reveal=False)
        req = {"method": shown["method"], "url": shown["url"]}
        if shown["headers"]:
            req["headers"] = shown["headers"]
        if "json" in shown:
            req["body"] = json.dumps(shown["json"], separators=(",", ":"))
        warnings = [] if self.can_rollback(ctx.options) else ["no rollback request: this change cannot be undone "
                                                              "from Warroom"]
        change = change_doc("http", f"{shown['method']} {shown['url']}", f"http:{shown['url']}", [req],
                            snapshot.state, shown.get("json"), warnings)
        return Draft(change)

    def guard(self, ctx: Context, draft: Draft, limits: Any) -> None:
        """No value guardrails beyond the allow-list."""

    async def apply(self, ctx: Context, draft: Draft, snapshot: Snapshot, progress: Progress) -> dict[str, Any]:
        """Re-read (precondition) when there is a ``read``, then send the request."""
        if isinstance(ctx.options.get("read"), Mapping):
            now = await self._read(ctx)
            if content_hash(now) != snapshot.version:
                raise PreconditionFailed("the state read by the read request changed since the preview: "
                                         "nothing written; preview again")
        return await self._do(ctx, ctx.options, "", progress)

    async def rollback(self, ctx: Context, snapshot: Snapshot, change: Mapping[str, Any],
                       progress: Progress) -> dict[str, Any]:
        """Send the ``rollback`` request (templated with the snapshot)."""
        if not self.can_rollback(ctx.options):
            raise ExecError("this plan's http executor has no rollback request: undo it by hand")
        return await self._do(ctx, ctx.options["rollback"], "rollback.", progress, snapshot=snapshot.state)

    async def _do(self, ctx: Context, spec: Mapping[str, Any], where: str, progress: Progress,
                  snapshot: Any = None) -> dict[str, Any]:
        req = self.request(ctx, spec, where, reveal=True, snapshot=snapshot)
        progress.before_write()
        status, text = await self._send(ctx, req)
        _check_answer(spec, req, status, text)
        progress.wrote(f"{req['method']} {req['url']}")
        return {"status": status, "answer": ctx.masker.text(short(text, 2000))}

    async def _send(self, ctx: Context, req: Mapping[str, Any]) -> tuple[int, str]:
        kwargs: dict[str, Any] = {"headers": req["headers"]}
        if "json" in req:
            kwargs["json"] = req["json"]
        return await send(ctx.session, req["method"], req["url"], **kwargs)


def _check_answer(spec: Mapping[str, Any], req: Mapping[str, Any], status: int, text: str) -> None:
    what = f"{req['method']} {req['url']}"
    ok = spec.get("ok_status")
    if not (status in ok if ok else 200 <= status < 300):
        raise ExecError(f"{what}: HTTP {status}: {short(text)}")
    path = spec.get("json_path")
    if path:
        value = _at(parse_json(text, what), str(path))
        if "equals" in spec:
            if value is _NOTHING or value != spec["equals"]:
                got = "nothing" if value is _NOTHING else json.dumps(value)
                raise ExecError(f"{what}: {path} is {got}, expected {json.dumps(spec['equals'])}")
        elif value is _NOTHING or value in (None, False):
            raise ExecError(f"{what}: {path} is missing or false in the answer")


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _NOTHING
    return value
