"""Istio route weights: a VirtualService's http route, through the Kubernetes API.

``GET /apis/networking.istio.io/v1beta1/namespaces/NS/virtualservices/NAME`` (Bearer token)
reads the object; the chosen ``spec.http[]`` route's destinations get their new weights
(``route[].weight``, which must add up to 100) and the whole object goes back with ``PUT``,
carrying the ``metadata.resourceVersion`` that was read. That is Kubernetes' optimistic
concurrency and this executor's precondition: if anyone changed the object in between, the
API answers ``409 Conflict`` and nothing is written.

Rollback reads the object again, checks that the route still has the weights Warroom set
(only Warroom's own change is there), puts the previous weights back and PUTs with the
current ``resourceVersion``.

Options::

    api: https://kubernetes.default.svc     # the API server
    token_secret: kube_token                # a secrets-file name: the Bearer token
    ca_file: /etc/warroom/kube-ca.pem       # optional: the API server's CA
    namespace: pay
    virtual_service: reviews
    route: 0                                # an index into spec.http, or a route's name
    weights: {v1: "{params.v1}", v2: "{params.v2}"}   # by destination subset (or host)

A staged shift sets the weights of each stage: ``weights: {v1: "{stage.rest}", v2:
"{stage.weight}"}`` moves 1/8 as ``v1 88, v2 12`` (whole percents: Istio has no finer step,
so a stage under 1% sends 1%, said in the CHANGE's warnings). Each stage is checked against
the site's largest weight shift from the weights in force, and rollback puts back the
weights read before the first stage.
"""

from __future__ import annotations

import copy
import json
import ssl
from typing import Any, Mapping

from warroom.gateway.executors.base import (
    Context, Draft, ExecError, GuardrailError, PreconditionFailed, Progress, Snapshot, change_doc,
    check_template, parse_json, send, short, stage_vars)

API_PATH = "/apis/networking.istio.io/v1beta1/namespaces/{ns}/virtualservices/{name}"
_KEYS = ("api", "token_secret", "ca_file", "namespace", "virtual_service", "route", "weights")


def check(options: Mapping[str, Any]) -> list[str]:
    """Problems with an istio executor's options."""
    problems = [f"{k}: unknown key (istio takes {', '.join(_KEYS)})" for k in options if k not in _KEYS]
    api = options.get("api")
    if not isinstance(api, str) or not api.startswith(("http://", "https://")):
        problems.append("api: the Kubernetes API server URL (https://...) is required")
    for key in ("token_secret", "namespace", "virtual_service"):
        if not isinstance(options.get(key), str) or not options.get(key):
            problems.append(f"{key}: required (text)")
    if "ca_file" in options and not isinstance(options["ca_file"], str):
        problems.append("ca_file: a path is required")
    route = options.get("route", 0)
    if isinstance(route, bool) or not isinstance(route, (int, str)) or (isinstance(route, int) and route < 0):
        problems.append(f"route: an index (0, 1...) or a route name is required (got {route!r})")
    weights = options.get("weights")
    if not isinstance(weights, Mapping) or not weights:
        problems.append("weights: a mapping {subset or host: weight} is required")
    else:
        for k, v in weights.items():
            if not isinstance(v, str) and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100):
                problems.append(f"weights.{k}: a whole number 0..100 or a template is required (got {v!r})")
        problems += check_template(weights, "weights")
        ints = [v for v in weights.values() if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100]
        if len(ints) == len(weights) and sum(ints) > 100:
            problems.append(f"weights: they add up to {sum(weights.values())}, more than 100")
    return problems


class IstioExecutor:
    """See the module docstring."""

    type = "istio"

    def can_rollback(self, options: Mapping[str, Any]) -> bool:
        """Always: rollback puts the previous weights back."""
        return True

    def targets(self, ctx: Context, snapshot: Snapshot | None = None) -> list[str]:
        """``istio:NS/NAME``."""
        return [f"istio:{ctx.options['namespace']}/{ctx.options['virtual_service']}"]

    def url(self, ctx: Context) -> str:
        """The VirtualService's URL on the API server."""
        o = ctx.options
        return str(o["api"]).rstrip("/") + API_PATH.format(ns=o["namespace"], name=o["virtual_service"])

    def _kwargs(self, ctx: Context) -> dict[str, Any]:
        name = str(ctx.options["token_secret"])
        if ctx.secrets is None:
            raise ExecError(f"token_secret: no secrets file, so no token {name!r}")
        try:
            token = ctx.secrets.get(name)
        except KeyError:
            raise ExecError(f"token_secret: secret {name!r} is not in the secrets file") from None
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {token}", "Accept": "application/json"}}
        if ctx.options.get("ca_file"):
            try:
                kwargs["ssl"] = ssl.create_default_context(cafile=str(ctx.options["ca_file"]))
            except (OSError, ssl.SSLError) as exc:
                raise ExecError(f"ca_file {ctx.options['ca_file']}: {exc}") from None
        return kwargs

    async def _get(self, ctx: Context) -> dict[str, Any]:
        url = self.url(ctx)
        status, text = await send(ctx.session, "GET", url, **self._kwargs(ctx))
        if status != 200:
            raise ExecError(_http_problem("GET", url, status, text, ctx))
        obj = parse_json(text, f"GET {url}")
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise ExecError(f"GET {url}: not a Kubernetes object")
        return obj

    async def read(self, ctx: Context) -> Snapshot:
        """The VirtualService object; its version is ``metadata.resourceVersion``."""
        obj = await self._get(ctx)
        return Snapshot(obj, str(obj["metadata"].get("resourceVersion", "")))

    def draft(self, ctx: Context, snapshot: Snapshot) -> Draft:
        """The object with the chosen route's new weights, and one PUT."""
        obj = copy.deepcopy(snapshot.state)
        route_name, dests = _route(obj, ctx.options.get("route", 0))
        wanted = {str(k): _weight(v, f"weights.{k}") for k, v in ctx.render(dict(ctx.options["weights"]),
                                                                              where="weights").items()}
        before = _weights(dests)
        after = dict(before)
        for key, w in wanted.items():
            label = _find(dests, key, route_name)
            after[label] = w
        if sum(after.values()) != 100:
            raise ExecError(f"route {route_name}: the weights would add up to {sum(after.values())}, not 100 "
                            f"({_text(after)})")
        for d in dests:
            d["weight"] = after[_label(d)]
        moved = [f"{k} {before[k]} -> {after[k]}" for k in after if before[k] != after[k]]
        ns, name = ctx.options["namespace"], ctx.options["virtual_service"]
        summary = f"{ns}/{name} route {route_name}: " + (", ".join(moved) if moved else "weights unchanged")
        warnings = []
        if ctx.stage is not None:
            st = stage_vars(ctx.stage)
            summary = f"stage {st['name']}: {summary}"
            if abs(st["weight"] - st["percent"]) > 0.05:
                warnings.append(f"stage {st['name']} is {st['percent']:.3g}% of the traffic; Istio weights are "
                                f"whole percents, so this stage sends {st['weight']}%")
        request = {"method": "PUT", "url": self.url(ctx), "headers": {"Authorization": "Bearer ***"},
                   "body": json.dumps(obj, separators=(",", ":"))}
        return Draft(change_doc("istio", summary, f"istio:{ns}/{name}", [request], before, after, warnings), obj)

    def guard(self, ctx: Context, draft: Draft, limits: Any) -> None:
        """No weight may move more than ``limits.max_weight_shift`` in one plan."""
        before, after = draft.change["before"], draft.change["after"]
        for k in after:
            if abs(after[k] - before.get(k, 0)) > limits.max_weight_shift:
                raise GuardrailError(f"{k}: weight {before.get(k, 0)} -> {after[k]} moves more than the site's "
                                     f"largest weight shift ({limits.max_weight_shift})")

    async def apply(self, ctx: Context, draft: Draft, snapshot: Snapshot, progress: Progress) -> dict[str, Any]:
        """PUT the object with the resourceVersion that was read; 409 means it moved."""
        return await self._put(ctx, draft.payload, progress, "read")

    async def rollback(self, ctx: Context, snapshot: Snapshot, change: Mapping[str, Any],
                       progress: Progress) -> dict[str, Any]:
        """Put the previous weights back, if the route still has Warroom's."""
        obj = await self._get(ctx)
        route_name, dests = _route(obj, ctx.options.get("route", 0))
        now = _weights(dests)
        before, after = dict(change.get("before") or {}), dict(change.get("after") or {})
        if now == before:  # a run that failed before its PUT took: nothing to undo
            return {"written": [], "note": "the route already has its previous weights"}
        if now != after:
            raise PreconditionFailed(f"route {route_name} changed since Warroom set its weights (now {_text(now)}, "
                                     f"Warroom set {_text(after)}): not rolled back")
        for d in dests:
            d["weight"] = before[_label(d)]
        return await self._put(ctx, obj, progress, "re-read for the rollback")

    async def _put(self, ctx: Context, obj: Mapping[str, Any], progress: Progress, read_when: str) -> dict[str, Any]:
        url = self.url(ctx)
        kwargs = self._kwargs(ctx)
        kwargs["headers"]["Content-Type"] = "application/json"
        progress.before_write()
        status, text = await send(ctx.session, "PUT", url, data=json.dumps(obj), **kwargs)
        if status == 409:
            raise PreconditionFailed(f"VirtualService {ctx.options['namespace']}/{ctx.options['virtual_service']} "
                                     f"changed since it was {read_when} (resourceVersion "
                                     f"{obj['metadata'].get('resourceVersion')} is stale): nothing written")
        if status not in (200, 201):
            raise ExecError(_http_problem("PUT", url, status, text, ctx))
        progress.wrote(url)
        new = parse_json(text, f"PUT {url}")
        version = new.get("metadata", {}).get("resourceVersion") if isinstance(new, dict) else None
        return {"written": [url], "resource_version": version}


def _http_problem(method: str, url: str, status: int, text: str, ctx: Context) -> str:
    if status in (401, 403):
        return (f"{method} {url}: HTTP {status}: the Kubernetes API refused the token "
                f"(secret {ctx.options['token_secret']!r})")
    if status == 404:
        return (f"{method} {url}: HTTP 404: no VirtualService {ctx.options['virtual_service']!r} "
                f"in namespace {ctx.options['namespace']!r}")
    return f"{method} {url}: HTTP {status}: {short(text)}"


def _route(obj: Mapping[str, Any], which: Any) -> tuple[str, list[dict[str, Any]]]:
    """The chosen http route's name (or index) and its destinations (the object's own dicts)."""
    http = (obj.get("spec") or {}).get("http")
    if not isinstance(http, list) or not http:
        raise ExecError("the VirtualService has no spec.http routes")
    if isinstance(which, int):
        if which >= len(http):
            raise ExecError(f"route {which}: the VirtualService has {len(http)} http route(s)")
        route, name = http[which], str(which)
    else:
        found = [r for r in http if isinstance(r, dict) and r.get("name") == which]
        if not found:
            names = [r.get("name") for r in http if isinstance(r, dict) and r.get("name")]
            raise ExecError(f"route {which!r}: no http route of that name (names: {', '.join(names) or 'none'})")
        route, name = found[0], str(which)
    dests = route.get("route") if isinstance(route, dict) else None
    if not isinstance(dests, list) or not dests or not all(isinstance(d, dict) for d in dests):
        raise ExecError(f"route {name}: it has no destinations")
    if len({_label(d) for d in dests}) != len(dests):
        raise ExecError(f"route {name}: two destinations have the same subset/host")
    return name, dests


def _label(dest: Mapping[str, Any]) -> str:
    d = dest.get("destination") or {}
    return str(d.get("subset") or d.get("host") or "?")


def _weights(dests: list[dict[str, Any]]) -> dict[str, int]:
    # Istio: a lone destination without a weight takes all traffic; several without take 0 each.
    return {_label(d): int(d.get("weight", 100 if len(dests) == 1 else 0)) for d in dests}


def _find(dests: list[dict[str, Any]], key: str, route_name: str) -> str:
    for field_name in ("subset", "host"):
        for d in dests:
            if str((d.get("destination") or {}).get(field_name) or "") == key:
                return _label(d)
    raise ExecError(f"weights.{key}: route {route_name} has no destination {key!r} "
                    f"(it has: {', '.join(_label(d) for d in dests)})")


def _weight(value: Any, where: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ExecError(f"{where}: a whole number 0..100 is required (got {value!r})") from None
    if isinstance(value, bool) or not number.is_integer() or not 0 <= number <= 100:
        raise ExecError(f"{where}: a whole number 0..100 is required (got {value!r})")
    return int(number)


def _text(weights: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in weights.items())
