"""``warroom gateway check --online``: every query the gateway would poll, run once on a REAL
Prometheus scraping the fixed target of tests/gateway/sources/exposition.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gateway.sources.exposition import SG_EDGES, start_stack, stop_stack
from tests.promstack import Prometheus
from warroom.cli import main
from warroom.gateway.online_check import metric_names, run_check_online
from warroom.gateway.secrets import Secrets
from warroom.gateway.site import load_site

SECRET = "Pr0m-online-very-secret"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    target, prom = start_stack(tmp_path_factory.mktemp("prom"))
    try:
        yield prom
    finally:
        stop_stack(target, prom)


def _site_text(url: str, *, cluster: str = "a", scenarios: str = "", kpis: str = "") -> str:
    text = f"""\
site: online-test
prometheus:
  url: {url}
  rate_window: 5s
  topology:
    shape: servicegraph
    selector: cluster="{cluster}"
  scenarios:
    - id: shop
      services: [frontend, checkout]
      tps: sum(rate(shop_orders_ok_total[5s]))
      success_ratio: sum(rate(shop_orders_ok_total[5s])) / sum(rate(shop_orders_total[5s]))
{scenarios}"""
    if kpis:
        text += "  kpis:\n" + kpis
    return text


def _write(tmp_path: Path, text: str, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _check(path: Path):
    return run_check_online(load_site(path), Secrets())


def _graph(cluster: str) -> tuple[int, int, int]:
    """Services, calls and entries of one cluster of the target, from its edge table."""
    edges = [(c, s) for cl, c, s, *_ in SG_EDGES if cl == cluster]
    virtual = [(c, s) for c, s in edges if c == "user"]
    real = [(c, s) for c, s in edges if c != "user"]
    services = {s for _, s in edges} | {c for c, _ in real}
    return len(services), len(real), len({s for _, s in virtual})


def test_metric_names_are_the_selected_metrics():
    assert metric_names('sum(rate(a_total{job="x{y}"}[1m])) / on (job) b') == ["a_total"]
    assert metric_names("up") == ["up"]
    assert metric_names('histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))') == ["h_bucket"]


def test_good_site_says_ok_for_every_group_with_the_graph_counted(stack, tmp_path):
    text = _site_text(stack.url, kpis="    - {series: shop_weird, query: weird_gauge}\n")
    path = _write(tmp_path, text)
    report = _check(path)
    assert report.ok, report.lines
    assert [g.state for g in report.groups] == ["OK", "OK", "OK"]
    services, calls, entries = _graph("a")
    topo = report.lines[1]
    assert topo.startswith(f"{path}:") and "topology (servicegraph): OK — " in topo
    assert f"{services} services ({entries} entry)" in topo and f"{calls} calls" in topo
    assert "latency unit: seconds (largest bucket bound 1)" in topo
    scenario = next(line for line in report.lines if "scenario shop" in line)
    assert scenario == (f"{path}:{_line_of(text, '- id: shop')}: scenario shop: OK — tps 1 sample, "
                        "success_ratio 1 sample")
    kpi = next(line for line in report.lines if "KPI shop_weird" in line)
    assert kpi.endswith("OK — query 1 sample")  # NaN and +Inf are not counted: the gateway drops them
    assert report.lines[0] == f"{path}:{_line_of(text, 'prometheus:')}: Prometheus {stack.url}: reachable"
    assert report.lines[-1] == f"{path}: online check passed — 3 OK, 0 EMPTY, 0 errors"


def test_auto_latency_unit_picks_milliseconds_for_the_legacy_collector(stack, tmp_path):
    report = _check(_write(tmp_path, _site_text(stack.url, cluster="b").replace(
        "services: [frontend, checkout]", "services: [api]")))
    services, calls, _ = _graph("b")
    topo = report.lines[1]
    assert report.ok and f"{services} services" in topo and f"{calls} call" in topo and _graph("a")[0] != services
    assert "latency unit: milliseconds (largest bucket bound 1000)" in topo


def test_a_scenario_prometheus_refuses_is_an_error_on_its_line(stack, tmp_path):
    bad = """\
    - id: broken
      services: [checkout]
      tps: sum(rate(shop_orders_total[5s])) +
      success_ratio: rate(shop_orders_total)
"""
    text = _site_text(stack.url, scenarios=bad)
    path = _write(tmp_path, text)
    report = _check(path)
    assert not report.ok
    line = next(line for line in report.lines if "scenario broken" in line)
    assert line.startswith(f"{path}:{_line_of(text, '- id: broken')}: scenario broken: ERROR — tps: ")
    assert "parse error" in line  # Prometheus's own words, with its position
    assert "success_ratio: " in line and "range vector" in line
    assert "scenario shop: OK" in "\n".join(report.lines)  # the good group is still reported
    assert report.lines[-1] == f"{path}: online check failed — 2 OK, 0 EMPTY, 1 error"


def test_queries_matching_nothing_are_empty_warnings_with_a_hint(stack, tmp_path):
    kpis = """\
    - {series: typo_rate, query: 'sum(rate(shop_orderz_total[5s]))'}
    - {series: other_rate, query: 'sum(rate(shop_orders_total{region="mars"}[5s]))'}
    - {series: nan_gauge, query: 'weird_gauge{k=~"nan|inf"}'}
"""
    text = _site_text(stack.url, cluster="nowhere", kpis=kpis)
    path = _write(tmp_path, text)
    report = _check(path)
    assert report.ok, report.lines
    by_what = {g.what: g for g in report.groups}
    typo = by_what["KPI typo_rate"]
    assert typo.state == "EMPTY" and "no series named shop_orderz_total" in typo.detail
    assert typo.where == f"{path}:{_line_of(text, 'typo_rate')}"
    other = by_what["KPI other_rate"]
    assert other.state == "EMPTY" and "shop_orders_total has 1 series but the selector" in other.detail
    nan = by_what["KPI nan_gauge"]
    assert nan.state == "EMPTY" and "only NaN/Inf" in nan.detail
    topo = by_what["topology (servicegraph)"]
    assert topo.state == "EMPTY"
    assert 'no traces_service_graph_request_total series match (selector {cluster="nowhere"})' in topo.detail
    total = sum(1 for e in SG_EDGES)
    assert f"traces_service_graph_request_total has {total} series" in topo.detail
    assert report.lines[-1].startswith(f"{path}: online check passed with warnings — 1 OK, 4 EMPTY, 0 errors")


def test_a_stopped_prometheus_is_one_clear_line_and_exit_1(tmp_path):
    prom = Prometheus.start(tmp_path / "gone")
    url = prom.url
    prom.stop()
    path = _write(tmp_path, _site_text(url))
    report = _check(path)
    assert not report.ok
    expected = f"{path}:2: Prometheus {url} cannot be used: cannot connect to {url}: Connection refused"
    assert report.lines == [expected]


def test_cli_check_online_prints_the_groups_never_the_secret(stack, tmp_path, capsys):
    text = "secrets: secrets.yaml\n" + _site_text(stack.url).replace(
        "  rate_window: 5s\n", "  rate_window: 5s\n  bearer_secret: prom-token\n")
    path = _write(tmp_path, text)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"prom-token: {SECRET}\n")
    secrets.chmod(0o600)
    argv = ["--config", str(tmp_path / "c.yaml"), "gateway", "check"]
    assert main([*argv, "--online", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: OK — ")  # the offline verdict first
    assert "topology (servicegraph): OK" in out and "scenario shop: OK" in out
    assert lines[-1] == f"{path}: online check passed — 2 OK, 0 EMPTY, 0 errors"
    assert SECRET not in out

    broken = _write(tmp_path, text.replace("tps: sum(rate(shop_orders_ok_total[5s]))", "tps: sum(rate(x[5s])) ||"),
                    "broken.yaml")
    assert main([*argv, "--online", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "scenario shop: ERROR" in out and "parse error" in out

    assert main([*argv, str(path)]) == 0  # without --online nothing is queried
    assert "topology" not in capsys.readouterr().out

    offline_bad = _write(tmp_path, text.replace("rate_window: 5s", "rate_window: soon"), "bad.yaml")
    assert main([*argv, "--online", str(offline_bad)]) == 1
    out = capsys.readouterr().out
    assert "rate_window" in out and "reachable" not in out  # offline problems first: no queries


def test_a_bearer_secret_that_is_missing_is_one_line_and_exit_1(tmp_path):
    text = "secrets: absent.yaml\n" + _site_text("http://127.0.0.1:9").replace(
        "  rate_window: 5s\n", "  rate_window: 5s\n  bearer_secret: prom-token\n")
    report = _check(_write(tmp_path, text))
    assert not report.ok and len(report.lines) == 1
    assert "cannot query Prometheus: no secret named 'prom-token'" in report.lines[0]
