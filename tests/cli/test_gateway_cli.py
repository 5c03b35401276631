"""``warroom gateway check`` and ``warroom gateway [run] --site``: a clear verdict, every problem with its line."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from warroom.cli import _parser, main
from warroom.core.settings.paths import resource_dir

SITE = """\
site: cli-test
listen: {port: 8766}
secrets: secrets.yaml
prometheus:
  url: http://127.0.0.1:9090
  bearer_secret: prom-token
  scenarios:
    - id: pay
      services: [api]
      tps: sum(rate(pay_total[1m]))
      success_ratio: "1"
services:
  api: {title: API}
  db: {title: DB, kind: database}
limits:
  targets: ["command:/bin/echo", "http:http://127.0.0.1:9095/"]
plans:
  - id: echo
    kind: degrade
    target: {kind: service, name: api}
    executor:
      type: command
      argv: [/bin/echo, hi]
      env: {TOKEN: "{secret.echo-token}"}
  - id: mark
    kind: degrade
    target: {kind: service, name: db}
    executor:
      type: http
      url: http://127.0.0.1:9095/api/annotations
      json: {text: hi}
"""
SECRET_VALUES = ("Pr0m-very-secret-value", "ech0-very-secret-value")


def _write(tmp_path: Path, site: str = SITE, secrets: str | None = None) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(site, encoding="utf-8")
    if secrets is not None:
        s = tmp_path / "secrets.yaml"
        s.write_text(secrets, encoding="utf-8")
        s.chmod(0o600)
    return path


def _gateway(tmp_path: Path, *argv: str) -> int:
    return main(["--config", str(tmp_path / "c.yaml"), "gateway", *argv])


def test_check_says_ok_with_counts_and_exits_0(tmp_path, capsys):
    path = _write(tmp_path, secrets=f"prom-token: {SECRET_VALUES[0]}\necho-token: {SECRET_VALUES[1]}\n")
    assert _gateway(tmp_path, "check", str(path)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{path}: OK — 2 services named, 1 scenario, 2 plans (command×1, http×1)"
    assert not any(v in out for v in SECRET_VALUES)


@pytest.mark.parametrize("name", ["servicegraph.yaml", "istio.yaml", "simulator.yaml"])
def test_every_shipped_site_passes_check(tmp_path, capsys, name):
    path = resource_dir() / "sites" / name
    assert _gateway(tmp_path, "check", str(path)) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"{path}: OK — ") and " plans (" in first


def test_a_broken_site_exits_1_naming_every_line(tmp_path, capsys):
    broken = (SITE.replace("listen: {port: 8766}", "listen: {port: 99999}")
              .replace("      type: http", "      type: htp")
              .replace("  url: http://127.0.0.1:9090", "  url: 127.0.0.1:9090"))
    path = _write(tmp_path, broken)
    assert _gateway(tmp_path, "check", str(path)) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{path}: 3 problems"
    assert lines[0] == f"{path}:2: listen.port: must be <= 65535 (got 99999)"
    assert lines[1].startswith(f"{path}:5: prometheus.url: must be an http:// or https:// URL")
    assert re.match(rf"{re.escape(str(path))}:\d+: plans\[mark\]\.executor\.type: must be one of", lines[2])


def test_check_names_secrets_missing_from_the_secrets_file_without_printing_values(tmp_path, capsys):
    path = _write(tmp_path, secrets=f"prom-token: {SECRET_VALUES[0]}\nother: {SECRET_VALUES[1]}\n")
    assert _gateway(tmp_path, "check", str(path)) == 1
    out = capsys.readouterr().out
    assert f"{path}:21: secret 'echo-token' is not in {tmp_path / 'secrets.yaml'}" in out
    assert "prom-token" not in out and not any(v in out for v in SECRET_VALUES)


def test_check_without_the_secrets_file_warns_and_without_a_secrets_key_fails(tmp_path, capsys):
    path = _write(tmp_path)  # secrets.yaml named but not written
    assert _gateway(tmp_path, "check", str(path)) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "warning:" in out and "cannot check the secrets named (echo-token, prom-token)" in out
    path = _write(tmp_path, SITE.replace("secrets: secrets.yaml\n", ""))
    assert _gateway(tmp_path, "check", str(path)) == 1
    out = capsys.readouterr().out
    assert f"{path}:3: uses the secret 'prom-token' but the site names no `secrets:` file" in out


def test_check_of_a_missing_or_hostile_file_is_a_clear_line_not_a_traceback(tmp_path, capsys):
    assert _gateway(tmp_path, "check", str(tmp_path / "nope.yaml")) == 1
    assert "no such file" in capsys.readouterr().out
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(bytes(range(256)) * 8)
    assert _gateway(tmp_path, "check", str(junk)) == 1
    out = capsys.readouterr().out
    assert "Traceback" not in out and f"{junk}:" in out


def test_run_needs_a_site_and_refuses_a_broken_one(tmp_path, capsys):
    assert _gateway(tmp_path) == 2
    assert "give a site file" in capsys.readouterr().err
    path = _write(tmp_path, SITE.replace("listen: {port: 8766}", "listen: {port: -5}"),
                  secrets=f"prom-token: {SECRET_VALUES[0]}\necho-token: {SECRET_VALUES[1]}\n")
    assert _gateway(tmp_path, "--site", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: listen.port: must be >= 0 (got -5)" in err


def test_run_refuses_missing_secrets_before_starting_anything(tmp_path, capsys):
    path = _write(tmp_path, secrets=f"prom-token: {SECRET_VALUES[0]}\n")
    assert _gateway(tmp_path, "run", "--site", str(path)) == 2
    err = capsys.readouterr().err
    assert "secret 'echo-token' is not in" in err and SECRET_VALUES[0] not in err


@pytest.mark.parametrize("argv", [
    ("--site", "{site}", "--port", "0", "--receivers-port", "0"),
    ("run", "--site", "{site}", "--port", "0", "--receivers-port", "0"),
    ("--site", "{site}", "run", "--port", "0", "--receivers-port", "0"),
])
def test_run_hands_the_site_with_its_ports_and_the_secrets_to_the_gateway(tmp_path, monkeypatch, argv):
    # The gateway's server is the lead's (warroom.gateway.run); this checks what the command
    # line hands it, so the function is replaced by one that records its arguments.
    path = _write(tmp_path, secrets=f"prom-token: {SECRET_VALUES[0]}\necho-token: {SECRET_VALUES[1]}\n")
    seen = {}

    async def fake_run(site, secrets, args):
        seen.update(site=site, secrets=secrets, args=args)
        return 0

    module = types.ModuleType("warroom.gateway.run")
    module.run_gateway = fake_run
    monkeypatch.setitem(sys.modules, "warroom.gateway.run", module)
    assert _gateway(tmp_path, *(a.format(site=path) for a in argv)) == 0
    site, secrets = seen["site"], seen["secrets"]
    assert site.name == "cli-test" and site.listen.port == 0 and site.receivers.port == 0
    assert secrets.get("prom-token") == SECRET_VALUES[0]
    assert seen["args"].site == path and seen["args"].log_level == "info"


def test_the_parser_knows_gateway_check_and_run():
    args = _parser().parse_args(["gateway", "check", "x.yaml"])
    assert args.site_file == Path("x.yaml") and args.func.__name__ == "_cmd_check"
    args = _parser().parse_args(["gateway", "run", "--site", "y.yaml", "--log-level", "debug"])
    assert args.site == Path("y.yaml") and args.log_level == "debug" and args.func.__name__ == "_cmd_run"
