"""A real NATS server with JetStream for the tests, on a loopback port, in a temporary folder.

The Debian package ``nats-server`` is installed by ``packaging/dev/run.sh setup``; nothing is
skipped when it is missing: the test fails and says which package to install.

``NatsServer.start(folder, max_payload=...)`` writes a configuration file (the 2.9 command line
has no ``--max_payload``), runs ``nats-server -c <file>`` (JetStream on, store in
``folder/js``, ``127.0.0.1:<free port>``) and waits until the port answers with the server's
``INFO`` line. ``stop()`` terminates it; ``start_again()`` runs it again on the same port and
store, as a restarted server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.e2e_support import env, free_port

READY_TIMEOUT_S = 20.0


def _binary() -> str:
    for path in (shutil.which("nats-server"), "/usr/sbin/nats-server", "/usr/bin/nats-server"):
        if path and Path(path).exists():
            return path
    raise AssertionError("nats-server is not installed: run `packaging/dev/run.sh setup` "
                         "(it installs the Debian package nats-server)")


@dataclass
class NatsServer:
    """A running ``nats-server -js``; see the module docstring."""

    folder: Path
    port: int
    max_payload: int | None = None
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "nats-server.log"

    @classmethod
    def start(cls, folder: Path, *, max_payload: int | None = None, port: int | None = None,
              wait: bool = True) -> "NatsServer":
        """Start a server (``port``: a free one by default). ``wait=False`` only writes the
        configuration: ``start_again()`` runs it (a test of "NATS down at start")."""
        server = cls(Path(folder), port or free_port(), max_payload)
        server.folder.mkdir(parents=True, exist_ok=True)
        lines = ["host: 127.0.0.1", f"port: {server.port}",
                 f'jetstream {{ store_dir: "{server.folder / "js"}" }}']
        if max_payload is not None:
            lines.append(f"max_payload: {max_payload}")
        (server.folder / "nats.conf").write_text("\n".join(lines) + "\n")
        if wait:
            server.start_again()
        return server

    def start_again(self) -> None:
        """Run the server (again) with its configuration, port and store; wait until it answers."""
        args = [_binary(), "-c", str(self.folder / "nats.conf")]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=self.folder)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nats-server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as s:
                    if s.recv(4096).startswith(b"INFO"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"nats-server not answering after {READY_TIMEOUT_S:g} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit within 10 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
