"""What the sub-commands share: the user-facing error, common options, signal handling."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import datetime, timezone
from pathlib import Path


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def sim_options(p: argparse.ArgumentParser, default_speed: float = 1.0, default_faults: tuple[str, ...] = ()) -> None:
    p.add_argument("--world", metavar="NAME|FILE",
                   help="the platform to simulate: a shipped world (payment, webshop, social, ecommerce-ops) or a "
                   "world file, see docs/worlds.md (default: payment); without --fault its own drill is scheduled")
    p.add_argument("--seed", type=int, default=7, help="random seed; same seed, same platform (default: %(default)s)")
    p.add_argument("--speed", type=float, default=default_speed,
                   help="simulated seconds per wall second; 60 = one hour per minute (default: %(default)s)")
    p.add_argument("--start", default="now",
                   help="simulated start time, ISO 8601 (e.g. 2026-11-10T23:50+08:00) or 'now' (default)")
    p.add_argument("--plans", type=Path, metavar="FILE",
                   help="more contingency plans for rehearsal, YAML (see warroom/core/plan/plan_files.py)")
    p.add_argument("--promotion", metavar="HH:MM",
                   help="run a daily promotion surge (x6 for 30 min) starting at this UTC+8 time, e.g. 00:00")
    p.add_argument("--fault", action="append", default=None, metavar="SPEC",
                   help="fault to inject, KIND:TARGET[@START][+DURATION][,k=v...]; repeatable"
                   + (f" (default: {' '.join(default_faults)}; --fault none for none)" if default_faults else ""))
    p.add_argument("--watch", action="store_true",
                   help="compute alerts and incidents in the feed, once, and publish them: every console shows "
                   "the same incidents and sends acknowledgements and notes as commands (protocol 1.4)")
    p.add_argument("--drill", action="store_true",
                   help="every fault of this run is a drill's: its faults, alerts, incidents and plan runs carry the "
                   "drill mark, the wall shows DRILL while one runs, production MTTR leaves them out")
    p.set_defaults(_default_faults=default_faults)


def client_auth_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token-file", type=Path, metavar="FILE",
                   help="file holding your access token (default: $WARROOM_TOKEN); never put a token on the command line")
    p.add_argument("--ca", type=Path, metavar="FILE",
                   help="CA certificate(s) to trust for a wss:// feed (default: $WARROOM_CA, else the system's)")


def credentials(args: argparse.Namespace):
    from warroom.io.auth import AuthError, Credentials

    try:
        return Credentials.resolve(args.token_file, args.ca)
    except AuthError as exc:
        raise CliError(str(exc)) from None


def console_options(p: argparse.ArgumentParser, history: bool = True) -> None:
    p.add_argument("--layout", default="command-centre", help="layout name or file (default: %(default)s)")
    p.add_argument("--screen", type=int, help="put the window on this screen (0, 1, ...)")
    p.add_argument("--fullscreen", action="store_true", help="start full screen (F11 toggles)")
    p.add_argument("--lang", choices=("en", "zh_CN"), help="interface language (default: the system's)")
    p.add_argument("--theme", choices=("dark", "light"), help="colour theme (default: the layout's)")
    p.add_argument("--size", help="window size WxH, e.g. 1920x1080")
    p.add_argument("--scale", type=_scale, metavar="X",
                   help="wall scale: draw X times as big as at 1920x1080 (default: from the window's size)")
    if not history:  # a replay reads alerts from the file and writes nothing but notes
        p.add_argument("--user", default="", help="your name on review notes (default: login name)")
        return
    wall_options(p)
    alert_options(p)
    p.add_argument("--patrol-every", type=float, default=0.0, metavar="HOURS", dest="patrol_every",
                   help="robot patrol every HOURS hours, the first half a minute after the start; the verdict "
                        "shows on the feed-health panel (default: off; see `warroom patrol`)")
    if "--db" not in p._option_string_actions:
        p.add_argument("--db", type=Path, help="history file (default: a new file in the recordings folder)")
    store_options(p)


def wall_options(p: argparse.ArgumentParser) -> None:
    """A wall: wall mode, a kiosk rotation of layouts, following incidents (warroom.app.kiosk)."""
    p.add_argument("--wall", action="store_true",
                   help="wall mode: full screen (unless --size), no dock title bars or buttons, no filters, "
                        "no engineering counters")
    p.add_argument("--rotate", metavar="PLAYLIST",
                   help="rotate layouts, each for its own time: LAYOUT[:TIME],... e.g. command-centre:60s,commander:30s "
                        "(a layout without a time: 30s)")
    p.add_argument("--follow-incident", nargs="?", const="commander", metavar="LAYOUT",
                   help="when an incident opens, switch to LAYOUT (default: commander) and hold it there until the "
                        "incident is mitigated")


def store_options(p: argparse.ArgumentParser) -> None:
    """How much memory the history store may use and how much history it keeps (docs/architecture.md)."""
    if "--store-memory-mb" in p._option_string_actions:
        return
    from warroom.store.writer import DEFAULT_MEMORY_LIMIT_MB

    p.add_argument("--store-memory-mb", type=_positive, default=DEFAULT_MEMORY_LIMIT_MB, metavar="MB",
                   help="memory the history store (DuckDB) may use for its cache (default: %(default)s)")
    p.add_argument("--retention-days", type=_positive, metavar="DAYS",
                   help="delete points older than this many days (events are kept; default: keep all)")
    p.add_argument("--retention-max-mb", type=_positive, metavar="MB",
                   help="keep the history file under this size by deleting the oldest points "
                   "(events are kept; default: no limit)")


def store_kwargs(args: argparse.Namespace) -> dict:
    """The ``StoreWriter`` keyword arguments the store options ask for. A 0 from the configuration
    file means "no limit" (for the memory: DuckDB's own default, 80 % of RAM)."""
    return {"memory_limit_mb": args.store_memory_mb or None, "retention_days": args.retention_days or None,
            "retention_max_mb": args.retention_max_mb or None}


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _scale(text: str) -> float:
    from warroom.core.settings.wall import parse_scale

    try:
        return parse_scale(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def alert_options(p: argparse.ArgumentParser) -> None:
    if "--rules" in p._option_string_actions:
        return
    p.add_argument("--rules", type=Path, help="alert rules file (default: the shipped rules; see docs/alerts.md)")
    p.add_argument("--notify", type=Path, help="notification channels file (see docs/notifications.md)")
    p.add_argument("--user", default="", help="your name on acknowledgements and notes (default: login name)")


def size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(x) for x in text.lower().split("x"))
        return (w, h)
    except ValueError:
        raise CliError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1920x1080") from None


def record_options(p: argparse.ArgumentParser) -> None:
    alert_options(p)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    store_options(p)


def start_ms(text: str) -> int | None:
    if text == "now":
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--start: {exc}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


async def until_signal(*coros, duration: float | None = None) -> None:
    """Run coroutines until one ends, SIGINT/SIGTERM arrives or ``duration`` passes."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.ensure_future(c) for c in coros]
    waiter = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait([*tasks, waiter], timeout=duration, return_when=asyncio.FIRST_COMPLETED)
    for t in (*tasks, waiter):
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await t  # re-raise a real failure of a task that ended on its own


def open_reader(db: Path):
    """A ``HistoryReader`` on ``db``, or a ``CliError`` saying why there is none."""
    from warroom.store import HistoryReader

    if not db.exists():
        raise CliError(f"no such file: {db}")
    try:
        return HistoryReader(db)
    except Exception as exc:
        raise CliError(f"cannot read {db}: {exc}") from None
