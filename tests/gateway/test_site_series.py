"""A site file's ``series:``: read with its mistakes named by line, and the gateway sends the
declarations with the topology it found (protocol 1.6), for every console's series catalogue."""

from __future__ import annotations

import pytest

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Service
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site import SiteError, parse_site
from warroom.gateway.sources import SourceUpdate

from .test_site import GOOD

SERIES = """\
series:
  http_server_request_duration_seconds:
    unit: s
    description: Server-side request latency
    descriptions: {zh_CN: 服务端请求延迟}
    owner: platform-team
  'payment_success_ratio{channel="qr"}':
    owner: qr-payments
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_declarations_are_read():
    site = parse_site(GOOD + SERIES)
    first, second = site.series
    assert (first.metric, first.unit, first.owner, first.descriptions) == (
        "http_server_request_duration_seconds", "s", "platform-team", {"zh_CN": "服务端请求延迟"})
    assert (second.metric, dict(second.labels), second.owner) == ("payment_success_ratio", {"channel": "qr"},
                                                                 "qr-payments")
    assert parse_site(GOOD).series == ()


@pytest.mark.parametrize("old, new, problem, where", [
    ("    owner: qr-payments\n", "    owner: qr-payments\n    colour: red\n", "unknown key 'colour'",
     "payment_success_ratio"),
    ("  'payment_success_ratio{channel=\"qr\"}':", "  'payment_success_ratio{channel=qr}':", "bad label syntax",
     "payment_success_ratio"),
    ("    unit: s\n", "    unit: [s]\n", "must be text", "http_server_request"),
    ("series:\n", "series: [a, b]\n", "must be a mapping", "series: [a"),
])
def test_mistakes_name_their_line(old, new, problem, where):
    text = GOOD + SERIES.replace(old, new)
    if new.startswith("series: ["):
        text = GOOD + "series: [a, b]\n"
    with pytest.raises(SiteError) as err:
        parse_site(text, "site.yaml")
    message = str(err.value)
    assert problem in message and f"site.yaml:{_line_of(text, where)}:" in message, message


def test_the_gateway_sends_the_declarations_with_the_topology_it_found():
    site = parse_site(GOOD + SERIES)
    feed = GatewayFeed(site, clock=lambda: 1_767_225_600_000)
    topo = Topology([Service("api"), Service("db")], [CallEdge("api", "db")])
    feed.publish(SourceUpdate(1_767_225_600_000, [], topo))
    assert feed.topology.series_info == site.series
    [snapshot] = [m for m in feed.snapshot_messages() if type(m).__name__ == "TopologySnapshot"]
    assert snapshot.to_wire()["series"][1] == {"series": 'payment_success_ratio{channel="qr"}', "owner": "qr-payments"}
