"""Sub-command ``gateway``: serve a feed from real platforms (docs/gateway.md).

    warroom gateway check SITE                 check a site file; every problem with its line
    warroom gateway check --online SITE        ... then run its queries once on its Prometheus
    warroom gateway run --site SITE [...]      run the gateway
    warroom gateway --site SITE [...]          the same, shorter
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

from warroom.cli.common import CliError

log = logging.getLogger("warroom")

_LOG_LEVELS = ("debug", "info", "warning", "error")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``warroom gateway`` to the ``warroom`` parser."""
    g = sub.add_parser(
        "gateway", help="serve a feed from real platforms: Prometheus, Alertmanager, CI annotations",
        description="Serve the console's feed from a site's Prometheus, Alertmanager and CI annotations, and act on "
        "its systems through the site file's plans (docs/gateway.md). `warroom gateway --site FILE` is short for "
        "`warroom gateway run --site FILE`.")
    _run_options(g, suppress=False)
    g.set_defaults(func=_cmd_run)
    commands = g.add_subparsers(metavar="ACTION")
    c = commands.add_parser("check", help="check a site file and the secrets it names",
                            description="Load a site file and report every problem with its line; also check that "
                            "the secrets it names are in its secrets file (values are never printed). Exit status "
                            "0 when the site can run, 1 when it has problems.")
    c.add_argument("site_file", type=Path, metavar="SITE", help="the site file (YAML)")
    c.add_argument("--online", action="store_true",
                   help="after the offline checks pass, run every query the gateway would poll once on the "
                   "site's Prometheus and report each group: OK, EMPTY (a warning) or Prometheus's error")
    c.set_defaults(func=_cmd_check)
    r = commands.add_parser("run", help="run the gateway on a site file")
    _run_options(r, suppress=True)
    r.set_defaults(func=_cmd_run)


def _run_options(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    # The same options on `gateway` and `gateway run`: the sub-command's must not reset what was
    # given before it (`warroom gateway --site F run`), so its defaults are SUPPRESS.
    def default(value):
        return argparse.SUPPRESS if suppress else value

    p.add_argument("--site", type=Path, metavar="FILE", default=default(None), help="the site file (YAML)")
    p.add_argument("--port", type=int, metavar="P", default=default(None),
                   help="feed port, over the site file's listen.port (0 picks a free one)")
    p.add_argument("--receivers-port", type=int, metavar="P", default=default(None),
                   help="port of the Alertmanager/annotation receivers, over the site file's receivers.port")
    p.add_argument("--nats", metavar="URL", default=default(None),
                   help="also publish the feed to NATS JetStream at URL for `warroom edge`, and execute the commands "
                   "consoles send through the edges (over the site file's nats.url; docs/scale.md)")
    p.add_argument("--log-level", choices=_LOG_LEVELS, default=default("info"),
                   help="detail of the gateway's log on stderr (default: info)")


def check_site(path: Path) -> tuple[bool, list[str]]:
    """Check a site file and its secrets; returns (ok, the lines to print)."""
    from warroom.gateway.secrets import SecretsError, load_secrets
    from warroom.gateway.site import SiteError, load_site, secret_names

    try:
        site = load_site(path)
    except SiteError as exc:
        problems = list(exc.problems)
        return False, [*problems, f"{path}: {_count(len(problems), 'problem')}"]
    problems: list[str] = []
    warnings = [f"warning: {w}" for w in site.warnings]
    used = secret_names(site)
    if used:
        if site.secrets_file is None:
            for name, where in used.items():
                problems.append(f"{where}: uses the secret {name!r} but the site names no `secrets:` file")
        elif not site.secrets_file.exists():
            warnings.append(f"warning: {path}: secrets file {site.secrets_file} does not exist (yet): cannot "
                            f"check the secrets named ({', '.join(sorted(used))})")
        else:
            try:
                secrets = load_secrets(site.secrets_file)
            except SecretsError as exc:
                problems.extend(str(exc).splitlines())
            else:
                for name, where in sorted(used.items(), key=lambda kv: kv[1]):
                    if name not in secrets:
                        problems.append(f"{where}: secret {name!r} is not in {site.secrets_file}")
    if problems:
        return False, [*problems, *warnings, f"{path}: {_count(len(problems), 'problem')}"]
    return True, [_summary(path, site), *warnings]


def _summary(path: Path, site) -> str:
    types = Counter(sp.executor.type for sp in site.plans)
    kinds = ", ".join(f"{t}×{n}" for t, n in sorted(types.items()))
    scenarios = len(site.prometheus.scenarios) if site.prometheus is not None else 0
    plans = _count(len(site.plans), "plan") + (f" ({kinds})" if kinds else "")
    return (f"{path}: OK — {_count(len(site.services), 'service')} named, {_count(scenarios, 'scenario')}, "
            f"{plans}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cmd_check(args: argparse.Namespace) -> int:
    ok, lines = check_site(args.site_file)
    for line in lines:
        print(line)
    if not ok or not getattr(args, "online", False):
        return 0 if ok else 1
    return check_online_file(args.site_file)


def check_online_file(path: Path) -> int:
    """``check --online`` on a site file that passed the offline checks: print a line per
    query group (warroom.gateway.online_check); the exit status."""
    # aiohttp only when asked for
    from warroom.gateway.online_check import run_check_online
    from warroom.gateway.secrets import Secrets, SecretsError, load_secrets
    from warroom.gateway.site import SiteError, load_site

    try:
        site = load_site(path)
        has_file = site.secrets_file is not None and site.secrets_file.exists()
        secrets = load_secrets(site.secrets_file) if has_file else Secrets()
    except (SiteError, SecretsError) as exc:  # changed since the offline check a moment ago
        print(exc)  # its lines already name the file
        return 1
    report = run_check_online(site, secrets)
    for line in report.lines:
        print(line)
    return 0 if report.ok else 1


def _cmd_run(args: argparse.Namespace) -> int:
    if getattr(args, "site", None) is None:
        raise CliError("gateway: give a site file: warroom gateway --site FILE (or: warroom gateway check FILE)")
    for option in ("port", "receivers_port"):
        value = getattr(args, option, None)
        if value is not None and not 0 <= value <= 65535:
            raise CliError(f"--{option.replace('_', '-')} must be 0..65535")
    logging.getLogger().setLevel(getattr(logging, str(getattr(args, "log_level", "info")).upper()))
    site, secrets = _load(args)
    from warroom.gateway.run import (
        run_gateway,  # the gateway's server (aiohttp...) only when it runs
    )

    from warroom.app.feed_watch import feed_watch_for

    # Alerts and incidents computed once, here, for every console (protocol 1.4; site: incidents).
    args.incidents_watch = feed_watch_for(site.incidents.rules, site.incidents.enabled)
    result = run_gateway(site, secrets, args)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return int(result or 0)


def _load(args: argparse.Namespace):
    """The site (with --port/--receivers-port applied) and its secrets, or a CliError naming every problem."""
    from warroom.gateway.secrets import SecretsError, load_secrets
    from warroom.gateway.site import SiteError, load_site, secret_names

    try:
        site = load_site(args.site)
    except SiteError as exc:
        raise CliError(f"{args.site}: the site file has problems:\n" + "\n".join(exc.problems)) from None
    for warning in site.warnings:
        log.warning("%s", warning)
    try:
        secrets = load_secrets(site.secrets_file)
    except SecretsError as exc:
        raise CliError(str(exc)) from None
    absent = [f"{where}: secret {name!r} is not in {site.secrets_file or 'the secrets file (none given)'}"
              for name, where in secret_names(site).items() if name not in secrets]
    if absent:
        raise CliError("missing secrets:\n" + "\n".join(absent))
    if getattr(args, "port", None) is not None:
        site = replace(site, listen=replace(site.listen, port=args.port))
    if getattr(args, "receivers_port", None) is not None:
        site = replace(site, receivers=replace(site.receivers, port=args.receivers_port))
    return site, secrets
