"""A scrape target for the Prometheus source tests: fixed platforms in both topology shapes.

Counters grow linearly with the wall clock (``rate * seconds``), so whatever moment
Prometheus scrapes, ``rate()`` over any window is the rate written here, and histograms hold
a fixed distribution whose quantiles are known (``P50``/``P99``). The test compares what the
gateway reads through a real Prometheus with these numbers.

Platforms:

* servicegraph, ``cluster="a"`` (seconds): the virtual client ``user`` calls ``frontend``;
  ``frontend`` → ``checkout`` (10 % failed); ``checkout`` → ``postgres`` (database),
  ``orders-mq`` (messaging), ``stripe`` (an uninstrumented virtual server whose histogram
  has no observations: its quantiles are NaN).
* servicegraph, ``cluster="b"``: the legacy collector that writes milliseconds into the
  ``_seconds`` histogram: ``user`` → ``api`` → ``db``.
* istio (namespace ``bookinfo``): ``unknown`` → ``productpage`` → ``reviews`` → ``ratings``,
  every in-mesh call counted by both reporters, HTTP 503s and a gRPC status 14; the
  ``reviews`` → ``ratings`` call only has the legacy seconds histogram.
* business counters ``shop_orders_total`` / ``shop_orders_ok_total`` and a gauge
  ``weird_gauge`` holding ``NaN``, ``+Inf`` and ``1``.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.e2e_support import free_port

#: Cumulative share of observations at or under each finite bucket bound.
FRACTIONS = (0.5, 0.9, 0.99, 1.0, 1.0)
SECONDS_BOUNDS = (0.05, 0.1, 0.25, 0.5, 1.0)
P50_S, P99_S = 0.05, 0.25
#: servicegraph edges: (cluster, client, server, connection_type, rate, failed rate or None, observed?)
SG_EDGES = (
    ("a", "user", "frontend", "virtual_node", 10.0, None, True),
    ("a", "frontend", "checkout", "", 6.0, 0.6, True),
    ("a", "checkout", "postgres", "database", 12.0, None, True),
    ("a", "checkout", "orders-mq", "messaging_system", 3.0, None, True),
    ("a", "checkout", "stripe", "virtual_node", 2.0, 0.5, False),
    ("b", "user", "api", "virtual_node", 5.0, None, True),
    ("b", "api", "db", "database", 5.0, 0.25, True),
)
#: istio calls: (source, destination, [(response_code, grpc_status, rate)], histogram "ms"|"s")
ISTIO_CALLS = (
    ("unknown", "productpage", [("200", "", 8.0), ("503", "", 0.4)], "ms"),
    ("productpage", "reviews", [("200", "", 5.0), ("503", "", 0.5)], "ms"),
    ("reviews", "ratings", [("200", "0", 1.8), ("200", "14", 0.2)], "s"),
)
ORDERS_RATE, ORDERS_OK_RATE = 4.0, 3.6


def _labels(**kv: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def exposition(t: float) -> str:
    """The text exposition at ``t`` seconds of counting."""
    out: list[str] = []
    for cluster, client, server, ct, rate, failed, observed in SG_EDGES:
        lab = {"cluster": cluster, "client": client, "server": server, "connection_type": ct}
        out.append(f"traces_service_graph_request_total{_labels(**lab)} {rate * t:.6f}")
        if failed is not None:
            out.append(f"traces_service_graph_request_failed_total{_labels(**lab)} {failed * t:.6f}")
        scale = 1000.0 if cluster == "b" else 1.0
        n = rate * t if observed else 0.0
        for bound, frac in zip(SECONDS_BOUNDS, FRACTIONS):
            out.append(f"traces_service_graph_request_server_seconds_bucket{_labels(**lab, le=f'{bound * scale:g}')} "
                       f"{n * frac:.6f}")
        out.append(f"traces_service_graph_request_server_seconds_bucket{_labels(**lab, le='+Inf')} {n:.6f}")
        out.append(f"traces_service_graph_request_server_seconds_count{_labels(**lab)} {n:.6f}")
    for src, dst, codes, unit in ISTIO_CALLS:
        reporters = ("destination",) if src == "unknown" else ("destination", "source")
        for reporter in reporters:
            base = {"reporter": reporter, "source_workload": src,
                    "source_workload_namespace": "" if src == "unknown" else "bookinfo",
                    "destination_workload": dst, "destination_workload_namespace": "bookinfo"}
            total = 0.0
            for code, grpc, rate in codes:
                total += rate
                out.append(f"istio_requests_total{_labels(**base, response_code=code, grpc_response_status=grpc)} "
                           f"{rate * t:.6f}")
            name = "istio_request_duration_milliseconds" if unit == "ms" else "istio_request_duration_seconds"
            scale = 100.0 if unit == "ms" else 0.1  # bounds 5..100 ms = 0.005..0.1 s
            n = total * t
            for bound, frac in zip(SECONDS_BOUNDS, FRACTIONS):
                out.append(f"{name}_bucket{_labels(**base, le=f'{bound * scale:g}')} {n * frac:.6f}")
            out.append(f"{name}_bucket{_labels(**base, le='+Inf')} {n:.6f}")
    out.append(f"shop_orders_total {ORDERS_RATE * t:.6f}")
    out.append(f"shop_orders_ok_total {ORDERS_OK_RATE * t:.6f}")
    out.append('weird_gauge{k="nan"} NaN')
    out.append('weird_gauge{k="inf"} +Inf')
    out.append('weird_gauge{k="one"} 1')
    return "\n".join(out) + "\n"


class Target:
    """``/metrics`` on a loopback port, in a thread; ``stop()`` at teardown."""

    def __init__(self) -> None:
        t0 = time.time() - 100.0  # counters start well above zero

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = exposition(time.time() - t0).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        """``host:port`` for Prometheus's targets."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def start_stack(folder) -> tuple[Target, object]:
    """A ``Target`` and a real Prometheus scraping it every second, with samples covering
    more than a ``rate(…[5s])`` window (a series younger than the window reads low: ``rate``
    divides by the whole window). Stop both at teardown (``stop_stack``)."""
    from tests.promstack import Prometheus

    target = Target()
    try:
        prom = Prometheus.start(folder, targets=[target.address], scrape_interval="1s")
    except BaseException:
        target.stop()
        raise
    try:
        prom.wait_for_series("count_over_time(shop_orders_total[10s]) >= 7")
    except BaseException:
        prom.stop()
        target.stop()
        raise
    return target, prom


def stop_stack(target: Target, prom) -> None:
    """Stop what ``start_stack`` started."""
    try:
        prom.stop()
    finally:
        target.stop()
