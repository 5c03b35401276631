"""Helpers for the end-to-end tests: ``warroom`` sub-commands as real processes.

Every wait is bounded by a deadline; every process started through ``Processes`` is
terminated (then killed) at teardown, whatever the test did.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import duckdb

#: ``python -m warroom.cli`` with the interpreter running the tests (the project's venv).
WARROOM = (sys.executable, "-m", "warroom.cli")
#: Generous bound for one process to start, import numpy/duckdb/websockets and say hello.
START_TIMEOUT_S = 30.0
#: Bound for a process to exit after SIGTERM/SIGINT.
STOP_TIMEOUT_S = 20.0

_COMMITTED = re.compile(r"store: ([\d,]+) points committed")
_SERIES = re.compile(r", (\d+) series,")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict[str, str]:
    """The environment for child processes: unbuffered, no proxies."""
    e = dict(os.environ)
    e["PYTHONUNBUFFERED"] = "1"
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        e.pop(var, None)
    return e


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Line:
    """One line a child printed, with the wall time (``time.time()``) it was read."""

    at: float
    text: str


class Proc:
    """A child process whose stdout and stderr are read into lists by background threads."""

    def __init__(self, args: Sequence[str], cwd: Path, name: str) -> None:
        self.name = name
        self.args = [*WARROOM, *args]
        self.popen = subprocess.Popen(
            self.args, cwd=cwd, env=env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        self.out: list[Line] = []
        self.err: list[Line] = []
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._pump, args=(self.popen.stdout, self.out), daemon=True),
            threading.Thread(target=self._pump, args=(self.popen.stderr, self.err), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _pump(self, stream, into: list[Line]) -> None:
        for raw in stream:
            with self._lock:
                into.append(Line(time.time(), raw.rstrip("\n")))

    # -- reading -------------------------------------------------------------------
    def lines(self) -> list[Line]:
        """A copy of the stdout lines read so far."""
        with self._lock:
            return list(self.out)

    @property
    def stdout(self) -> str:
        return "\n".join(line.text for line in self.lines())

    @property
    def stderr(self) -> str:
        with self._lock:
            return "\n".join(line.text for line in self.err)

    def find(self, needle: str, after: int = 0) -> list[tuple[int, Line]]:
        """``(index, line)`` of stdout lines from index ``after`` on that contain ``needle``."""
        return [(i, line) for i, line in enumerate(self.lines()) if i >= after and needle in line.text]

    def wait_for_line(self, needle: str, timeout: float, after: int = 0) -> tuple[int, Line]:
        """The first stdout line (from index ``after``) containing ``needle``; fails at the deadline."""

        def probe():
            hits = self.find(needle, after)
            if hits:
                return hits[0]
            if self.popen.poll() is not None:
                self.join_readers()
                hits = self.find(needle, after)
                if hits:
                    return hits[0]
                raise AssertionError(
                    f"{self.name} exited with {self.popen.returncode} before printing {needle!r}\n{self.describe()}"
                )
            return None

        try:
            return wait_until(probe, timeout, f"{self.name} to print {needle!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None

    def committed(self) -> int:
        """The newest "N points committed" a recorder printed (0 if none yet)."""
        for line in reversed(self.lines()):
            m = _COMMITTED.search(line.text)
            if m:
                return int(m.group(1).replace(",", ""))
        return 0

    def series_count(self) -> int:
        """The newest series count in a recorder's summary lines (0 if none yet)."""
        for line in reversed(self.lines()):
            m = _SERIES.search(line.text)
            if m:
                return int(m.group(1))
        return 0

    def wait_committed(self, at_least: int, timeout: float) -> int:
        """Wait until the recorder reports at least ``at_least`` committed points."""

        def probe():
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.popen.returncode}\n{self.describe()}")
            n = self.committed()
            return n if n >= at_least else None

        try:
            return wait_until(probe, timeout, f"{self.name} to commit {at_least:,} points")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None

    def describe(self, tail: int = 15) -> str:
        out = "\n".join(f"  | {line.text}" for line in self.lines()[-tail:])
        with self._lock:
            err = "\n".join(f"  ! {line.text}" for line in self.err[-tail:])
        return f"--- {self.name} ({' '.join(self.args[3:])}) stdout tail:\n{out}\n--- stderr tail:\n{err}"

    # -- ending --------------------------------------------------------------------
    def join_readers(self, timeout: float = 5.0) -> None:
        """Wait until both pipes reached EOF (only meaningful once the process has exited)."""
        for t in self._readers:
            t.join(timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT_S) -> int:
        """Send ``sig`` and wait for the exit status; fails (after a SIGKILL) if it hangs."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
                raise AssertionError(f"{self.name} did not exit within {timeout:g} s of signal {sig}") from None
        self.join_readers()
        return self.popen.returncode

    def kill9(self) -> int:
        """SIGKILL and reap."""
        self.popen.kill()
        rc = self.popen.wait(10)
        self.join_readers()
        return rc

    def cleanup(self) -> None:
        """Terminate, then kill, whatever state the process is in (for teardown)."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.join_readers(2)
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()


class Processes:
    """Starts ``warroom`` processes in one directory and cleans all of them up."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.started: list[Proc] = []

    def start(self, *args: str, name: str | None = None) -> Proc:
        proc = Proc(args, self.cwd, name or args[0])
        self.started.append(proc)
        return proc

    def sim(self, port: int, *extra: str, name: str = "sim") -> Proc:
        """``warroom sim`` on ``127.0.0.1:port``, once it says it is serving."""
        proc = self.start("sim", "--port", str(port), *extra, name=name)
        proc.wait_for_line(f"serving ws://127.0.0.1:{port}", START_TIMEOUT_S)
        return proc

    def record(self, url: str, db: Path, name: str = "record") -> Proc:
        """``warroom record`` (not waited for: it may have nothing to connect to)."""
        return self.start("record", "--url", url, "--db", str(db), name=name)

    def run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """A short-lived sub-command, run to completion."""
        return subprocess.run(
            [*WARROOM, *args], cwd=self.cwd, env=env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )

    def cleanup(self) -> None:
        for proc in reversed(self.started):
            proc.cleanup()


def count_points(db: Path) -> int:
    """Rows in the points table, read-only (only while no other process writes the file)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM points").fetchone()[0])
    finally:
        con.close()
