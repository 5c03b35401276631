"""The site file: examples load, mistakes name their line, hostile files are refused, secrets stay secret."""

from __future__ import annotations

import logging
import os
import random
import re
from pathlib import Path

import pytest
import yaml

from warroom.core.settings.paths import resource_dir
from warroom.gateway.secrets import Secrets, SecretsError, load_secrets
from warroom.gateway.site import (
    MAX_SITE_BYTES,
    SiteError,
    load_site,
    parse_site,
    secret_names,
)
from warroom.gateway.site_model import EXECUTOR_TYPES, TOPOLOGY_SHAPES

SITES = sorted((resource_dir() / "sites").glob("*.yaml"))
WORLD = yaml.safe_load((resource_dir() / "worlds" / "payment.yaml").read_text(encoding="utf-8"))

# A small valid site; the mistake cases below add to it or change one line of it.
GOOD = """\
site: test-site
listen: {port: 8766}
prometheus:
  url: http://127.0.0.1:9090
  interval_s: 5
  scenarios:
    - id: pay
      title: Pay
      services: [api, db]
      tps: sum(rate(pay_total[1m]))
      success_ratio: sum(rate(pay_ok_total[1m])) / sum(rate(pay_total[1m]))
  kpis:
    - series: gmv_rate
      query: sum(rate(gmv_total[1m]))
services:
  api: {title: API, titles: {zh_CN: 接口}, kind: service}
limits:
  targets: ["command:/bin/echo"]
plans:
  - id: echo
    kind: degrade
    title: Echo
    target: {kind: service, name: api}
    executor:
      type: command
      argv: [/bin/echo, hi]
"""


def _problems(text: str, name: str = "site.yaml") -> list[str]:
    with pytest.raises(SiteError) as info:
        parse_site(text, name)
    assert str(info.value) == "\n".join(info.value.problems)
    return list(info.value.problems)


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of the (only) line containing ``needle``."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


# -- the examples ------------------------------------------------------------------------------


def test_the_shipped_sites_are_there():
    assert {p.name for p in SITES} >= {"servicegraph.yaml", "istio.yaml", "simulator.yaml"}


@pytest.mark.parametrize("path", SITES, ids=lambda p: p.name)
def test_every_example_site_loads(path: Path):
    site = load_site(path)
    assert site.name and site.path == path.absolute()
    assert site.prometheus is not None and site.prometheus.topology.shape in TOPOLOGY_SHAPES
    assert site.plans and all(sp.executor.type in EXECUTOR_TYPES for sp in site.plans)
    assert site.limits.targets  # plans with no allow-list could never act
    for sp in site.plans:
        assert sp.where.startswith(f"{path}:") and sp.plan.target
    # every scenario's entry and services are names the site knows how to show
    for sq in site.prometheus.scenarios:
        assert set(sq.services) <= set(site.services), sq.id


def test_the_servicegraph_example_has_one_plan_of_each_executor_type():
    site = load_site(resource_dir() / "sites" / "servicegraph.yaml")
    assert sorted(sp.executor.type for sp in site.plans) == sorted(EXECUTOR_TYPES)
    assert all(sp.plan.guard is not None or sp.plan.expiry_s for sp in site.plans)


def test_the_istio_example_fails_over_with_weights_and_rate_limits_with_sentinel():
    site = load_site(resource_dir() / "sites" / "istio.yaml")
    by_type = {sp.executor.type: sp for sp in site.plans}
    assert by_type["istio"].plan.kind == "failover" and by_type["istio"].executor.options["weights"]
    assert by_type["sentinel"].plan.kind == "rate_limit"
    assert site.prometheus.topology.shape == "istio" and site.prometheus.topology.namespaces


def test_the_simulator_site_matches_the_payment_world():
    site = load_site(resource_dir() / "sites" / "simulator.yaml")
    assert site.prometheus.url == "http://127.0.0.1:19090"
    assert [sq.id for sq in site.prometheus.scenarios] == list(WORLD["scenarios"])
    for sq in site.prometheus.scenarios:
        world = WORLD["scenarios"][sq.id]
        assert sq.title == world["title"] and sq.titles == world["titles"]
        assert f'scenario="{sq.id}"' in sq.tps and "warroom_scenario_success_total" in sq.tps
        assert "warroom_scenario_requests_total" in sq.success_ratio
        on_path = {name for p in world["paths"] for x in p for name in (x if isinstance(x, list) else [x])}
        assert set(sq.services) == on_path
    for name, names in site.services.items():
        world = WORLD["services"][name]
        assert (names.title, dict(names.titles), names.kind) == (world["title"], world["titles"], world["kind"])
    assert set(site.services) == set(WORLD["services"])
    # harmless on a laptop: only this gateway's own receiver and /bin/echo
    assert all(t.startswith(("command:/bin/echo", "http:http://127.0.0.1:")) for t in site.limits.targets)


def test_a_good_site_loads_with_defaults_filled():
    site = parse_site(GOOD, "site.yaml")
    assert site.name == "test-site" and site.listen.port == 8766 and site.receivers.port == 9095
    assert site.prometheus.rate_window == "1m" and site.prometheus.timeout_s == 4.0
    assert site.prometheus.scenarios[0].services == ("api", "db")
    assert site.prometheus.scenarios[0].where == "site.yaml:7"
    assert site.prometheus.kpis[0].series == "gmv_rate"
    assert site.plans[0].plan.id == "echo" and site.plans[0].executor.options == {"argv": ["/bin/echo", "hi"]}
    assert site.plans[0].executor.timeout_s == 10.0 and site.plans[0].where == "site.yaml:20"
    assert site.warnings == ()


# -- mistakes name their line --------------------------------------------------------------------

# (description, text replacing a line of GOOD (old -> new), the marker on the bad line, expected
# "path: message" fragment). The expected line is the line holding the marker.
MISTAKES = [
    ("negative interval", "  interval_s: 5", "  interval_s: -1", "interval_s: -1",
     "prometheus.interval_s: must be > 0 (got -1)"),
    ("port out of range", "listen: {port: 8766}", "listen: {port: 70000}", "listen:",
     "listen.port: must be <= 65535 (got 70000)"),
    ("port as text", "listen: {port: 8766}", "listen: {port: eighty}", "listen:",
     "listen.port: must be a whole number (got 'eighty')"),
    ("misspelt key", "  interval_s: 5", "  intervall_s: 5", "intervall_s",
     "prometheus.intervall_s: unknown key (did you mean 'interval_s'?)"),
    ("bad URL scheme", "  url: http://127.0.0.1:9090", "  url: ftp://127.0.0.1:9090", "ftp://",
     "prometheus.url: must be an http:// or https:// URL"),
    ("bad rate window", "  interval_s: 5", "  interval_s: 5\n  rate_window: 1 minute", "rate_window",
     "prometheus.rate_window: must be a PromQL duration like 30s, 1m or 5m (got '1 minute')"),
    ("unbalanced PromQL", "      tps: sum(rate(pay_total[1m]))", "      tps: sum(rate(pay_total[1m])", "tps:",
     "prometheus.scenarios[pay].tps: not valid PromQL: unclosed '('"),
    ("unknown shape", "  interval_s: 5", "  interval_s: 5\n  topology: {shape: linkerd}", "linkerd",
     "prometheus.topology.shape: must be one of servicegraph, istio (got 'linkerd')"),
    ("unknown service kind", "  api: {title: API, titles: {zh_CN: 接口}, kind: service}",
     "  api: {title: API, kind: microservice}", "microservice", "services.api.kind: must be one of"),
    ("bad KPI series", "    - series: gmv_rate", "    - series: gmv{x=1}", "gmv{",
     "prometheus.kpis[0].series: not a series key"),
    ("scenario without services", "      services: [api, db]", "      services: []", "services: []",
     "prometheus.scenarios[pay].services: must list at least one service"),
    ("entry off the path", "      services: [api, db]", "      services: [api, db]\n      entry: web", "entry:",
     "prometheus.scenarios[pay].entry: 'web' is not one of the scenario's services (api, db)"),
    ("unknown executor type", "      type: command", "      type: shell", "type: shell",
     "plans[echo].executor.type: must be one of http, sentinel, istio, command (got 'shell')"),
    ("executor option checked by the executor", "      argv: [/bin/echo, hi]", "      argv: [echo, hi]", "argv:",
     "plans[echo].executor.argv[0]: the program must be an absolute path"),
    ("bad target kind", "    target: {kind: service, name: api}", "    target: {kind: servce, name: api}", "servce",
     ("plans[echo].target.kind: must be one of service, edge, scenario, bank_channel (got 'servce'; "
     "did you mean 'service'?)")),
    ("guard with a bad op", "    title: Echo", ("    title: Echo\n    guard: {series: x, op: '=', threshold: 1, "
     "within_s: 5}"), "guard:", "plans[echo].guard.op: must be one of <, <=, >, >="),
    ("plan without executor", "    executor:\n      type: command\n      argv: [/bin/echo, hi]\n", "", "- id: echo",
     "plans[echo]: missing `executor:`"),
    ("limits target without a type", '  targets: ["command:/bin/echo"]', '  targets: ["/bin/echo"]', "targets:",
     "limits.targets[0]: must start with one of http:, sentinel:, istio:, command:"),
    ("weight shift over 100", '  targets: ["command:/bin/echo"]',
     '  targets: ["command:/bin/echo"]\n  max_weight_shift: 150', "max_weight_shift",
     "limits.max_weight_shift: must be <= 100 (got 150)"),
    ("duplicate key", "  interval_s: 5", "  interval_s: 5\n  interval_s: 6", "interval_s: 6",
     "prometheus.interval_s: duplicate key (first at line 5)"),
    ("titles keyed by a non-language", "  api: {title: API, titles: {zh_CN: 接口}, kind: service}",
     "  api: {title: API, titles: {Chinese: 接口}}", "Chinese", "services.api.titles.Chinese: titles are keyed"),
]


@pytest.mark.parametrize("old,new,marker,expected", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_mistake_names_its_line_and_what_is_wrong(old, new, marker, expected):
    assert GOOD.count(old) == 1
    text = GOOD.replace(old, new)
    problems = _problems(text)
    line = _line_of(text, marker)
    assert any(p.startswith(f"site.yaml:{line}: {expected}") for p in problems), (line, problems)


def test_a_missing_site_name_is_an_error_and_a_missing_file_too(tmp_path):
    assert _problems(GOOD.replace("site: test-site\n", "")) == ["site.yaml:1: missing `site:`"]
    with pytest.raises(SiteError, match="no such file"):
        load_site(tmp_path / "nope.yaml")
    with pytest.raises(SiteError, match="not a file"):
        load_site(tmp_path)


def test_ids_used_twice_are_errors_at_the_second():
    text = GOOD + "  - id: echo\n    kind: degrade\n    target: {kind: service, name: api}\n" \
        "    executor: {type: command, argv: [/bin/echo]}\n"
    second = [i for i, line in enumerate(text.splitlines(), 1) if "- id: echo" in line][1]
    assert _problems(text) == [f"site.yaml:{second}: plans[echo].id: plan 'echo' is already defined at line 20"]


def test_every_problem_is_reported_at_once_in_line_order():
    text = (GOOD.replace("  interval_s: 5", "  interval_s: 0")
            .replace("listen: {port: 8766}", "listen: {port: -1}")
            .replace("      type: command", "      type: comand")
            .replace("    - series: gmv_rate", "    - series: 'gmv{'")
            + "extra: 1\n")
    problems = _problems(text)
    lines = [int(re.match(r"site\.yaml:(\d+): ", p).group(1)) for p in problems]
    assert lines == sorted(lines) and len(problems) == 5, problems
    assert lines == [_line_of(text, "port: -1"), _line_of(text, "interval_s: 0"), _line_of(text, "'gmv{'"),
                     _line_of(text, "type: comand"), _line_of(text, "extra: 1")]
    assert "unknown key" in problems[-1]


def test_a_timeout_not_below_the_interval_is_a_warning_not_an_error():
    site = parse_site(GOOD.replace("  interval_s: 5", "  interval_s: 5\n  timeout_s: 5"), "site.yaml")
    assert len(site.warnings) == 1 and site.warnings[0].startswith("site.yaml:6: prometheus.timeout_s:")


def test_relative_paths_are_taken_from_the_site_files_folder(tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "tokens.yaml").write_text("{}\n", encoding="utf-8")
    path = folder / "site.yaml"
    path.write_text(GOOD + "secrets: secrets.yaml\nstate_dir: state\n"
                    "receivers: {port: 9096, tokens: tokens.yaml}\n", encoding="utf-8")
    site = load_site(path)
    assert site.secrets_file == folder / "secrets.yaml" and site.state_dir == folder / "state"
    assert site.receivers.tokens == folder / "tokens.yaml" and site.receivers.port == 9096
    assert site.warnings == ()  # the tokens file exists
    absolute = load_site_text(tmp_path, GOOD + f"secrets: {tmp_path / 'elsewhere.yaml'}\n")
    assert absolute.secrets_file == tmp_path / "elsewhere.yaml"


def load_site_text(folder: Path, text: str):
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_site(path)


def test_feed_and_receivers_cannot_share_a_port():
    assert _problems(GOOD.replace("listen: {port: 8766}", "listen: {port: 9095}")) == [
        "site.yaml:2: listen.port: the receivers listen on port 9095 unless `receivers: {port: ...}` says otherwise"]
    text = GOOD + "receivers: {port: 8766}\n"
    assert _problems(text) == [(f"site.yaml:{_line_of(text, 'receivers:')}: receivers.port: the feed already "
                               "listens on port 8766")]


# -- hostile files ---------------------------------------------------------------------------------


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.write(b"site: x\n")
        f.seek(50 * 1024 * 1024)
        f.write(b"\n")
    with pytest.raises(SiteError, match=r"too large for a site file \(at most 1 MiB\)"):
        load_site(path)
    with pytest.raises(SiteError, match="too large"):
        parse_site("site: x\n" + "#" * MAX_SITE_BYTES)


def test_yaml_aliases_are_refused_so_a_billion_laughs_cannot_expand():
    bomb = "site: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    problems = _problems(bomb)
    assert problems == [("site.yaml:3: not valid YAML: YAML aliases (*name) are not allowed in a site file: "
                        "write the value out")]


def test_binary_junk_is_not_a_site_file(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(b"site: x\n\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" + os.urandom(64))
    with pytest.raises(SiteError, match=r"junk\.yaml:2: not UTF-8 text"):
        load_site(path)
    problems = _problems("site: x\nplans: \x00\x01\n")
    assert len(problems) == 1 and problems[0].startswith("site.yaml:2: not valid YAML:")


@pytest.mark.parametrize("text,expected", [
    ("- site: x\n", "site.yaml:1: the site file must be a mapping (key: value lines), not a list"),
    ("just words\n", "site.yaml:1: the site file must be a mapping (key: value lines), not 'just words'"),
    ("", "site.yaml:1: empty: a site file starts with `site: NAME`"),
    ("# only a comment\n", "site.yaml:1: empty: a site file starts with `site: NAME`"),
    ("site: a\n---\nsite: b\n", ("site.yaml:2: not valid YAML: more than one YAML document (---): a site file is "
     "one mapping")),
    ("site: [unclosed\n", "site.yaml:2: not valid YAML:"),
    ("site: x\nsite: y\n", "site.yaml:2: site: duplicate key (first at line 1)"),
    ("site: !!python/object:os.system x\n", "site.yaml:1: cannot read"),
    ("site: x\n? [a, b]\n: c\n", "site.yaml:2: keys must be plain names"),
])
def test_hostile_or_odd_roots_are_clear_errors(text, expected):
    problems = _problems(text)
    assert problems[0].startswith(expected), problems


def test_deep_nesting_is_an_error_not_a_crash():
    deep = "site: x\nplans:\n  - id: p\n    kind: k\n    params: " + "[" * 50_000 + "]" * 50_000 + "\n"
    problems = _problems(deep)
    assert len(problems) >= 1 and all(p.startswith("site.yaml") for p in problems)
    nested = "site: x\nplans:\n  - id: p\n    kind: k\n    target: {kind: service, name: a}\n" \
        "    executor: {type: command, argv: [/bin/echo]}\n    params: {a: " + "[" * 40 + "]" * 40 + "}\n"
    assert any("nested too deeply" in p for p in _problems(nested))


# -- secrets -----------------------------------------------------------------------------------------


def _secrets_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_secrets_give_values_by_name_and_never_show_them(tmp_path):
    secrets = load_secrets(_secrets_file(tmp_path, "prom-token: s3cr3t-PROM\nkube: 'K8S-abcdef'\n"))
    assert secrets.get("prom-token") == "s3cr3t-PROM" and secrets.names() == ("kube", "prom-token")
    assert "s3cr3t" not in repr(secrets) and "K8S" not in str(secrets) and "prom-token" in repr(secrets)
    with pytest.raises(KeyError) as info:
        secrets.get("nope")
    assert "nope" in str(info.value) and "s3cr3t" not in str(info.value)
    assert secrets.redact("Authorization: Bearer s3cr3t-PROM, K8S-abcdef") == "Authorization: Bearer ***, ***"
    assert load_secrets(None).names() == () and "x" not in Secrets()


def test_a_secrets_file_with_non_text_values_is_refused_without_the_values(tmp_path):
    path = _secrets_file(tmp_path, "a: 0123\nb: [x, y]\nc: 'ok-value-123'\nd: true\n")
    with pytest.raises(SecretsError) as info:
        load_secrets(path)
    message = str(info.value)
    assert message.count("must be text") == 3 and ":1: a:" in message and ":2: b:" in message
    assert "0123" not in message and "ok-value-123" not in message
    broken = _secrets_file(tmp_path, "a: 'hunter2-the-value\n")
    with pytest.raises(SecretsError) as info:
        load_secrets(broken)
    assert "hunter2" not in str(info.value) and "not valid YAML" in str(info.value)
    with pytest.raises(SecretsError, match="a secrets file is `name: value` lines"):
        load_secrets(_secrets_file(tmp_path, "- a\n"))


def test_a_secrets_file_others_can_read_is_warned_about(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="warroom.gateway.secrets"):
        load_secrets(_secrets_file(tmp_path, "a: value-a\n", mode=0o600))
        assert not caplog.records
        load_secrets(_secrets_file(tmp_path, "a: value-a\n", mode=0o644))
    assert len(caplog.records) == 1 and "chmod 600" in caplog.text and "value-a" not in caplog.text


def test_the_site_names_the_secrets_it_uses():
    text = GOOD.replace("  interval_s: 5", "  interval_s: 5\n  bearer_secret: prom-token") \
        .replace('  targets: ["command:/bin/echo"]', '  targets: ["command:/bin/echo", "istio:pay/"]') + """\
  - id: shift
    kind: failover
    target: {kind: service, name: api}
    executor:
      type: istio
      api: https://kubernetes.default.svc
      token_secret: kube-token
      namespace: pay
      virtual_service: api
      weights: {v1: 0, v2: 100}
  - id: flag
    kind: degrade
    target: {kind: service, name: api}
    executor:
      type: command
      argv: [/bin/echo, "{{literal}}"]
      env: {TOKEN: "{secret.flag-token}"}
"""
    site = parse_site(text, "site.yaml")
    names = secret_names(site)
    assert set(names) == {"prom-token", "kube-token", "flag-token"}
    assert names["prom-token"] == "site.yaml:3"
    assert all(where.startswith("site.yaml:") for where in names.values())


def test_a_secret_value_never_reaches_a_site_error(tmp_path):
    # The site names secrets only; even a value pasted by mistake into an unknown key is not
    # echoed whole in the message (only the key's name and line).
    secret = "AKIA" + "Z" * 60
    problems = _problems(GOOD + f"password: {secret}\n")
    assert problems == [(f"site.yaml:{_line_of(GOOD + f'password: {secret}', 'password')}: password: unknown key "
                        "(known keys: site, listen, receivers, secrets, state_dir, prometheus, alertmanager, "
                        "annotations, services, limits, plans, incidents, nats, loki, series, kpi_tree)")]


def test_mangled_example_sites_give_site_errors_never_tracebacks():
    # Deleted, doubled and dedented lines and stray YAML syntax, with a fixed seed: every
    # outcome is a loaded site or a SiteError whose every line names the file.
    rng = random.Random(15)
    junk = [":", "- ", "[", "}", "&a ", "*a", "!!binary ", "\t", "-1", "1e999", '"', "~", "? ", "<<: ", "\x00",
            ".inf", "2024-01-01", "!!python/tuple ", "|", "#"]
    texts = [p.read_text(encoding="utf-8") for p in SITES]
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(100):  # a site file is read once; the pure-Python YAML reader takes its time
        lines = rng.choice(texts).splitlines(True)
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(len(lines))
            op = rng.random()
            if op < 0.3:
                del lines[j]
            elif op < 0.7:
                k = rng.randrange(len(lines[j]) + 1)
                lines[j] = lines[j][:k] + rng.choice(junk) + lines[j][k:]
            elif op < 0.85:
                lines.insert(j, rng.choice(lines))
            else:
                lines[j] = lines[j].replace("  ", "", 1)
        try:
            parse_site("".join(lines), "f.yaml")
            outcomes["loaded"] += 1
        except SiteError as exc:
            outcomes["refused"] += 1
            assert exc.problems and all(p.startswith("f.yaml") for p in exc.problems), exc.problems
    assert outcomes["refused"] > 30
