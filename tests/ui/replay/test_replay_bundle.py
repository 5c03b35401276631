"""An incident bundle replays on its own: copied alone into an empty folder, no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from tests.app.recording import record_incident  # noqa: E402
from warroom.store.bundle import export_bundle  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]

# Imported first by every Python process started with it on the path: any attempt to open a
# network connection fails loudly, so a replay that needed the network could not pass.
NO_NETWORK = '''
import socket
def _refuse(*args, **kwargs):
    raise OSError("network access attempted during an offline replay")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
'''


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    work = tmp_path_factory.mktemp("bundle-src")
    rec = record_incident(work / "history.duckdb", seconds=600)
    out = work / "incident.duckdb"
    export_bundle(rec.path, out, rec.incident_id, before_ms=60_000, after_ms=60_000)
    return out, rec


def _run_alone(args: list[str], folder: Path) -> subprocess.CompletedProcess:
    guard = folder / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
           "XDG_STATE_HOME": str(folder / "state"), "XDG_CACHE_HOME": str(folder / "cache"),
           "PYTHONPATH": os.pathsep.join([str(guard), str(ROOT)]), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "warroom.cli", *args], capture_output=True, text=True,
                          timeout=180, cwd=folder, env=env)


def test_bundle_copied_alone_replays_offline(bundle, tmp_path):
    src, rec = bundle
    alone = tmp_path / "laptop"
    alone.mkdir()
    copy = alone / "INC.duckdb"
    shutil.copy(src, copy)
    assert sorted(p.name for p in alone.iterdir()) == ["INC.duckdb"]
    probe = _run_alone(["replay", str(copy), "--at", "worst", "--layout", "commander", "--snapshot",
                        str(alone / "worst.png")], alone)
    assert probe.returncode == 0, probe.stderr
    image = QImage(str(alone / "worst.png"))
    assert not image.isNull() and image.width() == 1920
    assert len({image.pixel(x, y) for x in range(0, 1920, 20) for y in range(0, 1080, 20)}) > 50
    # And the guard works: a command that does need the network is refused by it.
    refused = _run_alone(["inject", "--url", "ws://127.0.0.1:9", "traffic_surge:qr_pay"], alone)
    assert refused.returncode != 0 and "network access attempted" in refused.stderr + refused.stdout


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_damaged_bundle_gives_a_clear_error(bundle, tmp_path, damage):
    src, _ = bundle
    bad = tmp_path / "bad.duckdb"
    data = src.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        # Bits flipped in every 256 KiB block after the headers: some hold the data for sure
        # (flips that land only in free space change nothing anyone reads).
        buf = bytearray(data)
        for start in range(3 * 4096 + 64, len(buf), 256 * 1024):
            for i in range(start, min(start + 64, len(buf))):
                buf[i] ^= 0xFF
        data = bytes(buf)
    elif damage == "garbage":
        data = os.urandom(len(data))
    else:
        data = b""
    bad.write_bytes(data)
    proc = _run_alone(["replay", str(bad), "--snapshot", str(tmp_path / "x.png")], tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.startswith("warroom: ") and str(bad) in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.png").exists()
