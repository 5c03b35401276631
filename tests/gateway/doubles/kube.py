"""A test double of the Kubernetes API for Istio VirtualServices.

From the documented API: ``GET`` and ``PUT
/apis/networking.istio.io/v1beta1/namespaces/NS/virtualservices/NAME`` with
``Authorization: Bearer TOKEN`` (401 ``Status`` without or with a wrong one). A PUT must carry
the object's current ``metadata.resourceVersion``: a stale one gets ``409 Conflict``, none gets
``422`` (custom resources need it); a good one stores the object and bumps the version, as the
API server's optimistic concurrency does.

Switches: ``fail_status`` (PUT answers that status), ``delay_s`` (PUT sleeps first); ``edit``
changes an object the way another operator would (and bumps its version); ``edit_after_get``
(``(ns, name, change)``) makes that edit right after the next GET is answered, i.e. between
a client's read and its write.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any, Callable

from aiohttp import web

PATH = "/apis/networking.istio.io/v1beta1/namespaces/{ns}/virtualservices/{name}"


def virtual_service(ns: str, name: str, weights: dict[str, int], host: str = "reviews") -> dict[str, Any]:
    """A VirtualService with one http route splitting ``host`` over subsets by ``weights``."""
    return {
        "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"hosts": [host], "http": [
            {"name": "main", "route": [{"destination": {"host": host, "subset": s}, "weight": w}
                                       for s, w in weights.items()]}]},
    }


def _status(code: int, reason: str, message: str) -> web.Response:
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason,
            "code": code}
    return web.Response(status=code, text=json.dumps(body), content_type="application/json")


class KubeDouble:
    """See the module docstring. ``objects[(ns, name)]``; ``puts`` counts accepted PUTs."""

    def __init__(self, token: str = "kube-token-s3cr3t") -> None:
        self.token = token
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.puts = 0
        self.fail_status: int | None = None
        self.delay_s = 0.0
        self.edit_after_get: tuple[str, str, Callable[[dict[str, Any]], None]] | None = None
        self._version = 1000
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def add(self, obj: dict[str, Any]) -> None:
        """Create an object (it gets a resourceVersion)."""
        obj = copy.deepcopy(obj)
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        self.objects[(obj["metadata"]["namespace"], obj["metadata"]["name"])] = obj

    def edit(self, ns: str, name: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Another operator's change: ``change(obj)`` in place, and a new resourceVersion."""
        obj = self.objects[(ns, name)]
        change(obj)
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)

    def weights(self, ns: str, name: str, route: int = 0) -> dict[str, int]:
        """The route's weights by subset."""
        dests = self.objects[(ns, name)]["spec"]["http"][route]["route"]
        return {d["destination"]["subset"]: d["weight"] for d in dests}

    async def start(self) -> KubeDouble:
        """Serve on a free loopback port."""
        app = web.Application()
        path = PATH.format(ns="{ns}", name="{name}")
        app.router.add_get(path, self._get)
        app.router.add_put(path, self._put)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)  # do not wait for a "slow" handler
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _get(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _status(401, "Unauthorized", "Unauthorized")
        key = (request.match_info["ns"], request.match_info["name"])
        if key not in self.objects:
            return _status(404, "NotFound", f'virtualservices.networking.istio.io "{key[1]}" not found')
        answer = web.json_response(self.objects[key])
        if self.edit_after_get is not None:
            ns, name, change = self.edit_after_get
            self.edit_after_get = None
            self.edit(ns, name, change)
        return answer

    async def _put(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _status(401, "Unauthorized", "Unauthorized")
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_status is not None:
            return _status(self.fail_status, "InternalError", "etcdserver: request timed out")
        key = (request.match_info["ns"], request.match_info["name"])
        if key not in self.objects:
            return _status(404, "NotFound", f'virtualservices.networking.istio.io "{key[1]}" not found')
        try:
            obj = json.loads(await request.text())
        except ValueError:
            return _status(400, "BadRequest", "the body is not JSON")
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if not version:
            return _status(422, "Invalid", "metadata.resourceVersion: Invalid value: 0x0: must be specified "
                                           "for an update")
        current = self.objects[key]["metadata"]["resourceVersion"]
        if version != current:
            return _status(409, "Conflict", f'Operation cannot be fulfilled on virtualservices.networking.istio.io '
                                            f'"{key[1]}": the object has been modified; please apply your changes '
                                            "to the latest version and try again")
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        self.objects[key] = obj
        self.puts += 1
        return web.json_response(obj)
