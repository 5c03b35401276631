"""Smoke test of the built folder: does dist/warroom run, on its own, the way an operator runs it?

    python3 packaging/pyinstaller/smoke.py [dist/warroom]      (any Python 3.11+, stdlib only)

Every command runs the folder's own ``warroom`` executable in a scrubbed environment: no
venv on PATH, no PYTHONPATH/PYTHONHOME/VIRTUAL_ENV, a fresh empty HOME (so the user folders
are created from nothing), a temporary working directory and ``QT_QPA_PLATFORM=offscreen``.
Checked:

1. ``warroom --version`` prints the version in pyproject.toml;
2. ``warroom paths`` reads resources and layouts from inside the folder;
3. ``warroom rules check`` loads the shipped rules;
4. ``warroom snapshot --layout command-centre`` writes a 1920x1080 PNG that is not blank
   (decoded here with zlib: many colours, most pixels differ from the background);
5. the same in Chinese loads the bundled translation;
6. ``warroom demo --headless`` records into DuckDB and ``warroom history`` reads it back;
7. ``warroom demo`` opens its window and paints (``WARROOM_STARTUP_PROBE=quit``), writing the
   commented default configuration and a log file into the empty HOME.

Prints one line per check and exits non-zero if any failed.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class SmokeFailure(Exception):
    pass


def clean_env(home: Path) -> dict[str, str]:
    """An operator's environment: system PATH only, nothing pointing at a Python install."""
    path = [p for p in ("/usr/local/bin", "/usr/bin", "/bin") if Path(p).is_dir()]
    runtime = home / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {
        "PATH": ":".join(path),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(runtime),
    }


def run(exe: Path, args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180,
        extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(exe), *args], env={**env, **(extra_env or {})}, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SmokeFailure(f"`warroom {' '.join(args)}` exited {proc.returncode}\n"
                           f"--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    if not m:
        raise SmokeFailure("no version in pyproject.toml")
    return m.group(1)


# --- a small PNG reader (8-bit RGB/RGBA, not interlaced: what Qt writes for a window grab) ---

def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, raw pixel rows without filter bytes)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"{path}: not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise SmokeFailure(f"{path}: no IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise SmokeFailure(f"{path}: unexpected PNG format (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    out = bytearray(stride * height)
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif ftype == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif ftype != 0:
            raise SmokeFailure(f"{path}: bad filter type {ftype} in row {y}")
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return width, height, bpp, bytes(out)


def picture_stats(path: Path) -> tuple[int, int, int, float]:
    """(width, height, distinct colours, share of pixels unlike the most common colour)."""
    width, height, bpp, pixels = read_png(path)
    colours = Counter(pixels[i:i + 3] for i in range(0, len(pixels), bpp))
    background = colours.most_common(1)[0][1]
    total = width * height
    return width, height, len(colours), 1 - background / total


# --- the checks -------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "warroom").resolve()
    exe = folder / "warroom"
    if not os.access(exe, os.X_OK):
        print(f"smoke: no executable {exe}: build it with packaging/pyinstaller/build.sh", file=sys.stderr)
        return 2
    failures = 0
    with tempfile.TemporaryDirectory(prefix="warroom-smoke-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        work = tmp / "work"
        home.mkdir()
        work.mkdir()
        env = clean_env(home)

        def check(name: str, fn) -> None:
            nonlocal failures
            t0 = time.monotonic()
            try:
                detail = fn()
            except (SmokeFailure, subprocess.TimeoutExpired, OSError) as exc:
                failures += 1
                print(f"FAIL  {name} ({time.monotonic() - t0:.1f} s): {exc}", flush=True)
            else:
                print(f"ok    {name} ({time.monotonic() - t0:.1f} s){': ' + detail if detail else ''}", flush=True)

        def version() -> str:
            out = run(exe, ["--version"], env, work).stdout.strip()
            want = f"warroom {project_version()}"
            if out != want:
                raise SmokeFailure(f"printed {out!r}, expected {want!r}")
            return out

        def paths() -> str:
            out = run(exe, ["paths"], env, work).stdout
            rows = dict(re.findall(r"^(resources|layouts|config file)\s+(\S+)", out, re.M))
            for key in ("resources", "layouts"):
                p = Path(rows.get(key, ""))
                if folder not in p.parents or not p.is_dir():
                    raise SmokeFailure(f"{key} read from {p}, not from inside {folder}\n{out}")
            if home not in Path(rows.get("config file", "/")).parents:
                raise SmokeFailure(f"the configuration is not under HOME:\n{out}")
            return f"resources in {Path(rows['resources']).relative_to(folder)}"

        def rules() -> str:
            return run(exe, ["rules", "check"], env, work).stdout.splitlines()[0].replace(str(folder) + "/", "")

        def snapshot(lang: str, after: str):
            def go() -> str:
                png = work / f"wall-{lang}.png"
                proc = run(exe, ["snapshot", "--layout", "command-centre", "--after", after, "--lang", lang,
                                 "--out", str(png)], env, work)
                if "no translation" in proc.stderr:
                    raise SmokeFailure(f"translation missing: {proc.stderr.strip()[-500:]}")
                w, h, colours, busy = picture_stats(png)
                if (w, h) != (1920, 1080):
                    raise SmokeFailure(f"{png.name} is {w}x{h}, expected 1920x1080")
                if colours < 200 or busy < 0.05:
                    raise SmokeFailure(f"{png.name} looks blank: {colours} colours, {busy:.1%} non-background")
                return f"{png.name} {w}x{h}, {colours} colours, {busy:.0%} of pixels not background"
            return go

        def headless_demo() -> str:
            db = work / "demo.duckdb"
            run(exe, ["demo", "--headless", "--quiet", "--duration", "5", "--db", str(db)], env, work)
            out = run(exe, ["history", str(db)], env, work).stdout
            m = re.search(r": (\d+) series", out)
            if not m or int(m.group(1)) == 0:
                raise SmokeFailure(f"history of the demo recording shows no series:\n{out[:1000]}")
            return f"{m.group(1)} series recorded and read back"

        def windowed_demo() -> str:
            proc = run(exe, ["demo", "--db", str(work / "window.duckdb")], env, work, timeout=120,
                       extra_env={"WARROOM_STARTUP_PROBE": "quit"})
            if "WARROOM_FIRST_PAINT" not in proc.stdout:
                raise SmokeFailure(f"the window never painted:\n{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}")
            config = home / ".config" / "warroom" / "config.yaml"
            if not config.is_file() or "# layout:" not in config.read_text(encoding="utf-8"):
                raise SmokeFailure(f"no commented default configuration at {config}")
            logs = list((home / ".local" / "state" / "warroom").rglob("warroom.log"))
            if not logs or "started" not in logs[0].read_text(encoding="utf-8"):
                raise SmokeFailure("no log file under ~/.local/state/warroom")
            return "painted; wrote ~/.config/warroom/config.yaml and " + str(logs[0].relative_to(home))

        def incident_review() -> str:
            """Drill → bundle (validated in a child: the frozen binary's --bundle-check-child) →
            replay at the worst moment → report: the offline review path, end to end."""
            db, bundle = work / "drill.duckdb", work / "incident.duckdb"
            out = run(exe, ["drill", "--out", str(db), "--minutes", "8"], env, work).stdout
            m = re.search(r"incident (INC-\S+):", out)
            if not m:
                raise SmokeFailure(f"the drill opened no incident:\n{out}")
            incident = m.group(1)
            run(exe, ["export", "--db", str(db), "--incident", incident, "--out", str(bundle)], env, work)
            png = work / "replay.png"
            run(exe, ["replay", str(bundle), "--layout", "commander", "--at", "worst", "--snapshot", str(png)],
                env, work)
            w, h, colours, busy = picture_stats(png)
            if colours < 200 or busy < 0.05:
                raise SmokeFailure(f"{png.name} looks blank: {colours} colours, {busy:.1%} non-background")
            report = work / "report.html"
            run(exe, ["report", "--db", str(bundle), "--incident", incident, "--out", str(report)], env, work)
            html = report.read_text(encoding="utf-8")
            if incident not in html or "<svg" not in html:
                raise SmokeFailure(f"{report.name} lacks the incident or its charts")
            return f"{incident}: bundle {bundle.stat().st_size // 1024} KiB, replay {w}x{h}, report " \
                   f"{len(html) // 1024} KiB"

        print(f"smoke test of {folder} (HOME={home}, PATH={env['PATH']})", flush=True)
        check("warroom --version", version)
        check("warroom paths", paths)
        check("warroom rules check", rules)
        check("warroom snapshot --layout command-centre (en)", snapshot("en", "2m"))
        check("warroom snapshot --layout command-centre (zh_CN)", snapshot("zh_CN", "20s"))
        check("warroom demo --headless + warroom history", headless_demo)
        check("warroom demo (window, first paint)", windowed_demo)
        check("warroom drill + export + replay + report", incident_review)
    print("smoke: PASSED" if not failures else f"smoke: {failures} check(s) FAILED", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
