"""``warroom catalogue``: every series a history or a feed holds, and two sources compared.

    warroom catalogue HISTORY [--out FILE.csv] [--grep WORDS] [--flagged] [--world NAME|FILE]
    warroom catalogue --url ws://… [--seconds 20] [--out FILE.csv] …
    warroom catalogue --compare A B [--seconds 20] [--out FILE.csv]

A catalogue row gives a series' unit, description, owner, source, first and last point, points
per minute, and its refused and invalid points, with flags: ``silent`` (no point for 5× its own
interval), ``invalid`` (values its unit cannot take), ``refused`` (points the store quarantined).
Units, descriptions and owners come from what the feed declared with its topology (protocol 1.6
``series``), a world file (``--world``) or a site file (``--site``), else from the metric names and
the call graph (docs/catalogue.md).

``--compare A B`` takes two sources, each a history file or a feed address (``ws://``,
``wss://``; watched for ``--seconds``), and lists the series in one and not the other, unit and
label differences, and rate (and magnitude) differences. Exit status: 0 when the catalogue has
no flagged series / the sources agree, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path
from typing import Iterable

from warroom.cli.common import CliError, client_auth_options, credentials, open_reader

_KIND_WORDS = {
    "only_a": "only in A", "only_b": "only in B", "labels": "labels differ", "unit": "unit differs",
    "rate": "rate differs", "scale": "values differ in magnitude",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``catalogue`` to the ``warroom`` parser."""
    p = sub.add_parser("catalogue", help="every series a history or feed holds (unit, owner, rate, silent or invalid); "
                                         "--compare A B: two sources side by side")
    p.add_argument("history", nargs="?", type=Path, metavar="HISTORY", help="a recorded history file")
    p.add_argument("--url", help="catalogue a live feed instead (watched for --seconds)")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"),
                   help="compare two sources: history files or feed addresses (ws://, wss://)")
    p.add_argument("--seconds", type=float, default=20.0,
                   help="how long to watch a feed (default: %(default)s)")
    p.add_argument("--out", type=Path, metavar="FILE.csv", help="write the rows as CSV here (UTF-8)")
    p.add_argument("--grep", default="", metavar="WORDS",
                   help="only series whose name, labels, unit, description, owner or flags hold every word")
    p.add_argument("--flagged", action="store_true", help="only silent, invalid or refused series")
    p.add_argument("--world", metavar="NAME|FILE", help="take units, descriptions and owners from a world file")
    p.add_argument("--site", type=Path, metavar="FILE", help="take units, descriptions and owners from a site file")
    client_auth_options(p)
    p.set_defaults(func=_cmd_catalogue)


def _infos(args: argparse.Namespace) -> tuple:
    """Declarations from ``--world`` / ``--site`` (world first)."""
    out: list = []
    if args.world:
        from warroom.sim.world.loader import WorldError, load_world

        try:
            out.extend(getattr(load_world(args.world).topology, "series_info", ()))
        except (WorldError, OSError, ValueError) as exc:
            raise CliError(f"--world: {exc}") from None
    if args.site is not None:
        from warroom.gateway.site import load_site

        try:
            out.extend(getattr(load_site(args.site), "series", ()))
        except (OSError, ValueError) as exc:
            raise CliError(f"--site: {exc}") from None
    return tuple(out)


def _is_feed(text: str) -> bool:
    return text.startswith(("ws://", "wss://"))


def _load(source: str, args: argparse.Namespace, infos: tuple):
    """(catalogue, refusals by protocol error code) of a history path or a feed address."""
    if _is_feed(source):
        from warroom.app.catalogue import watch_catalogue

        try:
            watched = asyncio.run(watch_catalogue(source, args.seconds, credentials=credentials(args), infos=infos))
        except (ConnectionError, OSError) as exc:
            raise CliError(str(exc)) from None
        return watched.catalogue, watched.refused
    from warroom.store.catalogue import decoder_refusals, history_catalogue, history_source

    path = Path(source)
    with open_reader(path) as reader:
        return history_catalogue(reader, source=history_source(reader, path), infos=infos), decoder_refusals(reader)


def _cmd_catalogue(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        raise CliError("--seconds must be positive")
    given = [x for x in (args.history, args.url, args.compare) if x]
    if len(given) != 1:
        raise CliError("say what to catalogue: a HISTORY file, --url ws://… or --compare A B (one of them)")
    from warroom.report.catalogue import CATALOGUE_COLUMNS, catalogue_rows

    infos = _infos(args)
    if args.compare:
        return _compare(args, infos)
    source = args.url or str(args.history)
    catalogue, refused = _load(source, args, infos)
    entries = catalogue.search(args.grep)
    if args.flagged:
        entries = [e for e in entries if e.flags]
    if args.out is not None:
        _write(args.out, catalogue_rows(entries), CATALOGUE_COLUMNS)
    print(render_catalogue(catalogue, entries, refused))
    if args.out is not None:
        print(f"catalogue: {len(entries)} rows written to {args.out}")
    return 1 if any(e.flags for e in catalogue.entries) else 0


def _compare(args: argparse.Namespace, infos: tuple) -> int:
    from warroom.core.catalogue import compare
    from warroom.report.catalogue import COMPARE_COLUMNS, comparison_rows

    a_src, b_src = args.compare
    a, _ = _load(a_src, args, infos)
    b, _ = _load(b_src, args, infos)
    diffs = compare(a, b)
    if args.grep:
        words = args.grep.lower().split()
        diffs = [d for d in diffs if all(w in f"{d.metric} {d.series} {d.kind.value}".lower() for w in words)]
    if args.out is not None:
        _write(args.out, comparison_rows(diffs), COMPARE_COLUMNS)
    print(render_comparison(a, b, diffs, a_src, b_src))
    if args.out is not None:
        print(f"compare: {len(diffs)} rows written to {args.out}")
    return 1 if diffs else 0


def _write(path: Path, rows: Iterable[list], columns: tuple[str, ...]) -> None:
    from warroom.report.catalogue import write_csv

    try:
        write_csv(path, rows, columns)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_catalogue(catalogue, entries: list, refused: dict[str, int]) -> str:
    """The catalogue as text for a terminal: a summary, then one line per series (worst first)."""
    from warroom.core.catalogue import Flag
    from warroom.core.language.text import terminal_safe
    from warroom.report.catalogue import iso

    counts = catalogue.counts()
    out = io.StringIO()
    newest = f", newest point {iso(catalogue.now_ms)}" if catalogue.now_ms is not None else ""
    out.write(f"catalogue of {terminal_safe(catalogue.source)}: {len(catalogue)} series{newest}\n")
    out.write(f"  silent {counts[Flag.SILENT]}, invalid values {counts[Flag.INVALID]}, "
              f"refused points {counts[Flag.REFUSED]}\n")
    if refused:
        text = ", ".join(f"{code} × {n:,}" for code, n in refused.items())
        out.write(f"  refused by the decoder (not pinned on a series): {text}\n")
    rank = {Flag.INVALID: 0, Flag.REFUSED: 1, Flag.SILENT: 2}
    shown = sorted(entries, key=lambda e: (min((rank[f] for f in e.flags), default=9), e.text))
    out.write(f"\n{'series':<58} {'unit':<6} {'owner':<16} {'/min':>7} {'points':>8} {'refused':>7} "
              f"{'invalid':>7}  flags / description\n")
    for e in shown:
        s = e.stats
        flags = " ".join(sorted(f.value.upper() for f in e.flags))
        silent = f" ({e.silent_for_ms / 1000:.0f} s)" if Flag.SILENT in e.flags else ""
        note = f"{flags}{silent}  {e.description}" if flags else e.description
        out.write(f"{_cut(terminal_safe(e.text), 58):<58} {_cut(e.unit, 6):<6} {_cut(terminal_safe(e.owner), 16):<16} "
                  f"{s.per_minute:>7.3g} {s.points:>8,} {s.refused:>7,} {e.invalid:>7,}  "
                  f"{terminal_safe(note)}\n")
    if not shown:
        out.write("(no series)\n")
    return out.getvalue().rstrip("\n")


def render_comparison(a, b, diffs: list, a_name: str, b_name: str) -> str:
    """A comparison as text for a terminal."""
    from warroom.core.language.text import terminal_safe

    out = io.StringIO()
    out.write(f"A: {terminal_safe(a_name)} ({len(a)} series)\nB: {terminal_safe(b_name)} ({len(b)} series)\n")
    if not diffs:
        out.write("the two sources agree: same metrics, series, units, labels and rates\n")
        return out.getvalue().rstrip("\n")
    counts: dict[str, int] = {}
    for d in diffs:
        counts[d.kind.value] = counts.get(d.kind.value, 0) + 1
    out.write(", ".join(f"{_KIND_WORDS[k]}: {n}" for k, n in counts.items()) + "\n\n")
    for d in diffs:
        what = _KIND_WORDS[d.kind.value]
        sides = " | ".join(x for x in (f"A: {d.a}" if d.a else "", f"B: {d.b}" if d.b else "") if x)
        many = f" ({d.count} series)" if d.count > 1 and d.kind.value in ("rate", "scale") else ""
        out.write(f"{what:<26} {terminal_safe(_cut(d.subject, 70)):<70} {terminal_safe(sides)}{many}\n")
    return out.getvalue().rstrip("\n")

