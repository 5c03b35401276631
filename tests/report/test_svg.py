"""The inline SVG: well-formed, the root cause marked, thresholds drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from warroom.core.model import SeriesKey
from warroom.report.facts import Chart, Marker, Series
from warroom.report.svg import chart_svg, map_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def test_map_marks_bank_icbc_as_critical_root_cause(report, text):
    root = ET.fromstring(map_svg(report.map, text))
    groups = {g.get("data-service"): g for g in root.iter("{http://www.w3.org/2000/svg}g")}
    icbc = groups["bank-icbc"]
    assert "root-cause" in icbc.get("class") and icbc.get("data-level") == "crit"
    words = "".join(icbc.itertext())
    assert text("root_cause_badge") in words and "ICBC gateway" in words
    assert sum("root-cause" in g.get("class") for g in groups.values()) == 1
    assert groups["bank-ccb"].get("data-level") == "ok"
    edges = root.findall(".//s:path[@data-edge]", NS)
    assert len(edges) == len(report.map.edges)
    assert any(e.get("data-edge") == "payment-engine->bank-icbc" and "edge-crit" in e.get("class") for e in edges)


def test_alert_chart_draws_its_threshold_firing_span_and_markers(report, text):
    chart = report.charts[0]
    root = ET.fromstring(chart_svg(chart, report.markers, text))
    assert len(root.findall(".//s:line[@class='threshold']", NS)) == 1
    assert root.findall(".//s:rect[@class='firing']", NS)
    assert root.findall(".//s:polygon[@class='band']", NS)  # downsampled: the min/max band
    kinds = {m.get("class").split()[-1] for m in root.findall(".//s:line", NS) if "marker" in (m.get("class") or "")}
    # The failover restored service while ICBC itself still fails: mitigated, not resolved.
    assert kinds == {"marker-detected", "marker-plan", "marker-mitigated"}
    labels = "".join(root.itertext())
    assert "100%" in labels and "10:32" in labels and text.offset in labels  # % axis, local times
    assert "5.0%" in labels  # the threshold's label


def test_threshold_line_sits_at_its_value():
    key = SeriesKey("scenario_success_ratio", {"scenario": "qr_pay"})
    line = Series(key, "qr_pay", (0, 1000, 2000), (0.99, 0.6, 0.99), (0.99, 0.6, 0.99), (0.99, 0.6, 0.99))
    from warroom.report.text import Text

    svg = chart_svg(Chart("t", "ratio", 0, 2000, (line,), (0.95,)), [Marker(1000, "worst")], Text("en"),
                    height=230)
    root = ET.fromstring(svg)
    th = root.find(".//s:line[@class='threshold']", NS)
    ticks = {t.text: float(t.get("y")) for t in root.findall(".//s:text", NS) if t.text and t.text.endswith("%")}
    # the 95% line is between the 90% and 100% tick labels (labels sit 4 px below their line)
    assert ticks["90%"] - 4 > float(th.get("y1")) > ticks["100%"] - 4


def test_data_text_in_svg_is_escaped(report, text):
    from dataclasses import replace

    node = replace(report.map.nodes[0], label="<script>x</script>")
    svg = map_svg(replace(report.map, nodes=(node, *report.map.nodes[1:])), text)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)
