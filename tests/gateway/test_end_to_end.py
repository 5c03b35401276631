"""The issue's end-to-end test, every part a real process: the simulator's ``/metrics`` →
a real Prometheus scraping it every second → ``warroom gateway`` → ``warroom record`` (the
console's history, with its alert watch).

* A fault injected in the simulator (a dependency outage of ``risk-control``) is named the
  root cause in the console's history within 30 s of the injection.
* A real Alertmanager, fed by a Prometheus alerting rule on the service-graph error ratio,
  posts to the gateway's receiver, and the alert reaches the console's event log (and
  names the service its ``server`` label gave).

The history file is read after the recorder has exited (DuckDB lets no other process open
a file a writer holds).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from tests.e2e_support import START_TIMEOUT_S, Processes, free_port
from tests.promstack import Alertmanager, Prometheus
from warroom.core.model import EventKind
from warroom.store import HistoryReader

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TARGET = "risk-control"
#: The issue's bound: fault to root cause on the console.
ROOT_CAUSE_WITHIN_S = 30.0
FAR = 10**13

#: Prometheus's own alert on the service graph: a server failing more than a fifth of its calls.
RULES = {"groups": [{"name": "servicegraph", "rules": [{
    "alert": "ServiceGraphErrorRatioHigh",
    "expr": 'label_replace(sum by (server) (rate(traces_service_graph_request_failed_total[15s])) '
            '/ sum by (server) (rate(traces_service_graph_request_total[15s])) > 0.2, '
            '"service", "$1", "server", "(.*)")',
    "labels": {"severity": "page"},
    "annotations": {"summary": "{{ $labels.service }} fails {{ $value | humanizePercentage }} of its calls"},
}]}]}


@pytest.fixture
def procs(tmp_path: Path):
    p = Processes(tmp_path)
    try:
        yield p
    finally:
        p.cleanup()


def _site(tmp_path: Path, prom_url: str, feed_port: int, receivers_port: int) -> Path:
    site = yaml.safe_load((ROOT / "resources/sites/simulator.yaml").read_text())
    site["listen"]["port"] = feed_port
    site["receivers"]["port"] = receivers_port
    site["state_dir"] = str(tmp_path / "gateway-state")
    site["prometheus"]["url"] = prom_url
    site["prometheus"]["interval_s"] = 1
    site["prometheus"]["timeout_s"] = 0.9
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True))
    return path


def _root_named_at(reader: HistoryReader, service: str, *, own: bool) -> int | None:
    """The first time the history names ``service`` as a root cause. ``own``: by the console's
    own alerts only (a firing alert of its rules whose root it is), so that Alertmanager's
    faster alert cannot hide a slow diagnosis; else also an incident's root, whatever opened it."""
    for ev in reader.events(0, FAR):
        a = ev.attrs
        from_alertmanager = a.get("external") or a.get("source") == "alertmanager"
        if not own and ev.kind is EventKind.INCIDENT and a.get("root_cause") == service:
            return ev.ts
        if ev.kind is EventKind.ALERT and a.get("state") == "firing" and a.get("root_cause") == service \
                and not from_alertmanager:
            return ev.ts
    return None


def test_simulator_through_prometheus_and_the_gateway_reaches_the_console(procs: Processes, tmp_path: Path):
    exporter_port, sim_port, feed_port, receivers_port = free_port(), free_port(), free_port(), free_port()
    am = Alertmanager.start(tmp_path / "alertmanager", f"http://127.0.0.1:{receivers_port}/alertmanager")
    prom = None
    try:
        procs.sim(sim_port, "--seed", "7", "--prometheus", str(exporter_port))
        prom = Prometheus.start(tmp_path / "prometheus", [f"127.0.0.1:{exporter_port}"], scrape_interval="1s",
                                rules=RULES, alertmanager=am.address)
        prom.wait_for_series("traces_service_graph_request_total")
        site = _site(tmp_path, prom.url, feed_port, receivers_port)
        gw = procs.start("gateway", "--site", str(site), name="gateway")
        gw.wait_for_line(f"serving ws://127.0.0.1:{feed_port}", START_TIMEOUT_S)
        db = tmp_path / "console.duckdb"
        rec = procs.record(f"ws://127.0.0.1:{feed_port}", db)
        rec.wait_for_line("feed live", START_TIMEOUT_S)
        time.sleep(20)  # healthy data first: rates need their window filled

        injected_s = time.time()
        out = procs.run("inject", "--url", f"ws://127.0.0.1:{sim_port}", f"dependency_outage:{TARGET}+120s")
        assert out.returncode == 0, out.stdout + out.stderr
        time.sleep(ROOT_CAUSE_WITHIN_S + 10)  # the bound, plus the alert's way through Alertmanager
        rec.stop()
        gw_log = gw.describe(40)
        gw.stop()
    finally:
        if prom is not None:
            prom.stop()
        am.stop()
    assert "Traceback" not in gw.stderr, gw_log

    reader = HistoryReader(db)
    try:
        own = _root_named_at(reader, TARGET, own=True)
        first = _root_named_at(reader, TARGET, own=False)
        assert own is not None and first is not None, "the console never named the root cause:\n" + "\n".join(
            f"{e.kind.value} {e.subject} {e.title} {dict(e.attrs).get('root_cause')}"
            for e in reader.events(0, FAR) if e.kind in (EventKind.ALERT, EventKind.INCIDENT))
        own_s, first_s = own / 1000 - injected_s, first / 1000 - injected_s
        print(f"root cause {TARGET} named {first_s:.1f} s after the fault (Alertmanager's alert included), "
              f"{own_s:.1f} s by the console's own rules")
        assert own_s <= ROOT_CAUSE_WITHIN_S, f"the console's own rules named the root {own_s:.1f} s after the fault"
        external = [e for e in reader.events(0, FAR) if e.kind is EventKind.ALERT and e.attrs.get("external")]
        assert external, "no Alertmanager alert reached the console's event log\n" + am.log()[-2000:]
        assert any(e.subject == TARGET and e.attrs.get("alertname") == "ServiceGraphErrorRatioHigh"
                   for e in external), [(e.subject, dict(e.attrs)) for e in external]
    finally:
        reader.close()
