"""A real Prometheus and a real Alertmanager for the tests, on loopback ports, in temporary folders.

The Debian packages ``prometheus`` and ``prometheus-alertmanager`` are installed by the
README's set-up and by ``.ci/run``; a test that needs them starts its own server here and
stops it at teardown. Nothing is skipped when a binary is missing: the set-up installs it,
so a missing binary is a failure that says which package to install.

``Prometheus.start(folder, targets=[...], scrape_interval="1s")`` writes a configuration
that scrapes every ``host:port`` in ``targets`` (``/metrics``), optionally with alerting
rules and an Alertmanager to send them to, and waits until the server answers
``/-/ready``. ``Alertmanager.start(folder, webhook_url=...)`` routes every alert to one
webhook receiver with short group waits, so a test sees a post within seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from tests.e2e_support import env, free_port

#: Bound for a server to answer ``/-/ready`` after it was started.
READY_TIMEOUT_S = 30.0


def _binary(*names: str) -> str:
    for name in names:
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    raise AssertionError(f"none of {names} is installed: run `packaging/dev/run.sh setup` (it installs the "
                         "Debian packages prometheus and prometheus-alertmanager)")


def _get(url: str, timeout: float = 2.0) -> bytes:
    req = urllib.request.Request(url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    with opener.open(req, timeout=timeout) as resp:
        return resp.read()


@dataclass
class _Server:
    """A server process with a log file; ``stop()`` terminates it (then kills it)."""

    proc: subprocess.Popen
    url: str
    folder: Path
    log_path: Path
    port: int

    def _wait_ready(self, what: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{what} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                _get(self.url + "/-/ready", timeout=1.0)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"{what} not ready after {READY_TIMEOUT_S:g} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        """What the server wrote so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit within 10 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@dataclass
class Prometheus(_Server):
    """A running Prometheus; see the module docstring."""

    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        folder: Path,
        targets: Sequence[str] = (),
        *,
        scrape_interval: str = "1s",
        evaluation_interval: str = "1s",
        rules: dict[str, Any] | None = None,
        alertmanager: str | None = None,
        extra_args: Sequence[str] = (),
        port: int | None = None,
    ) -> "Prometheus":
        """Start Prometheus scraping ``targets`` (``host:port``); ``rules`` is a rule file's
        content (``{"groups": [...]}``), ``alertmanager`` a ``host:port`` to send alerts to; ``port``
        (default: a free one) lets a test start it again where it was, with the same folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        config: dict[str, Any] = {
            "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval,
                       "scrape_timeout": scrape_interval},
            "scrape_configs": [{"job_name": "warroom-test", "static_configs": [{"targets": list(targets)}]}]
            if targets else [],
        }
        if rules is not None:
            (folder / "rules.yml").write_text(yaml.safe_dump(rules))
            config["rule_files"] = [str(folder / "rules.yml")]
        if alertmanager is not None:
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
        (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
        log_path = folder / "prometheus.log"
        args = [_binary("prometheus"), f"--config.file={folder / 'prometheus.yml'}",
                f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle", *extra_args]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=folder)
        server = cls(proc, f"http://127.0.0.1:{port}", folder, log_path, port, config)
        server._wait_ready("prometheus")
        return server

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """An instant query's ``result`` list (``AssertionError`` on an error answer)."""
        params = {"query": expr, **({"time": f"{at:.3f}"} if at is not None else {})}
        body = json.loads(_get(f"{self.url}/api/v1/query?{urllib.parse.urlencode(params)}"))
        assert body.get("status") == "success", body
        return body["data"]["result"]

    def wait_for_series(self, expr: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until ``expr`` returns at least one sample; return them."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(f"no result for {expr!r} after {timeout:g} s:\n{self.log()[-2000:]}")
            time.sleep(0.2)


@dataclass
class Alertmanager(_Server):
    """A running Alertmanager; see the module docstring."""

    @classmethod
    def start(cls, folder: Path, webhook_url: str, *, headers: dict[str, str] | None = None,
              bearer_token: str | None = None) -> "Alertmanager":
        """Start Alertmanager routing every alert to ``webhook_url`` (group wait 1 s, group
        interval 2 s, resolved alerts sent too); ``bearer_token`` goes in ``Authorization``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        port, cluster = free_port(), free_port()
        hook: dict[str, Any] = {"url": webhook_url, "send_resolved": True}
        if bearer_token:
            hook["http_config"] = {"authorization": {"type": "Bearer", "credentials": bearer_token}}
        config = {
            "route": {"receiver": "warroom", "group_by": ["alertname", "service"], "group_wait": "1s",
                      "group_interval": "2s", "repeat_interval": "1h"},
            "receivers": [{"name": "warroom", "webhook_configs": [hook]}],
        }
        (folder / "alertmanager.yml").write_text(yaml.safe_dump(config))
        log_path = folder / "alertmanager.log"
        args = [_binary("prometheus-alertmanager", "alertmanager"), f"--config.file={folder / 'alertmanager.yml'}",
                f"--storage.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                f"--cluster.listen-address=127.0.0.1:{cluster}"]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=folder)
        server = cls(proc, f"http://127.0.0.1:{port}", folder, log_path, port)
        server._wait_ready("alertmanager")
        return server

    @property
    def address(self) -> str:
        """``host:port``, as Prometheus's ``alerting`` section wants it."""
        return f"127.0.0.1:{self.port}"

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Post alerts straight to Alertmanager's API (``/api/v2/alerts``), as Prometheus does."""
        req = urllib.request.Request(self.url + "/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=5) as resp:
            assert resp.status == 200, resp.status
