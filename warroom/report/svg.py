"""Tiny inline-SVG builders for the report: a time chart and the call-chain map.

Plain strings, no library: the page must open offline in any browser and print. Every
piece of text that comes from data is escaped here. Colours are the light theme's (paper
is white); a level is never shown by colour alone (the chart labels its lines, the map
prints the numbers and a "ROOT CAUSE" badge).
"""

from __future__ import annotations

import math
from html import escape

from warroom.core.graph.edge_routes import RouteGeometry, edge_routes
from warroom.report.facts import Chart, MapFacts, MapNode, Marker
from warroom.report.text import Text
from warroom.report.units import format_tick, format_value

FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
        "'Microsoft YaHei', 'PingFang SC', sans-serif")
LINE_COLOURS = ("#1565c0", "#d55e00", "#009e73", "#cc79a7", "#7a5c00", "#56b4e9", "#444444", "#e69f00")
MARKER_COLOURS = {"detected": "#b45309", "plan": "#1565c0", "mitigated": "#b26a00", "resolved": "#2e7d32",
                  "worst": "#6a1b9a"}
LEVEL_STROKE = {"ok": "#2e7d32", "warn": "#b26a00", "crit": "#c62828", "unknown": "#78848f"}
LEVEL_FILL = {"ok": "#eef7ef", "warn": "#fff3e0", "crit": "#ffe3e3", "unknown": "#eceff1"}
EDGE_STROKE = {"ok": "#a7b1bb", "warn": "#b26a00", "crit": "#c62828", "unknown": "#b0b8c0"}
THRESHOLD = "#c62828"
FIRING_FILL = "#fbe3e3"
GRID = "#e3e7eb"
AXIS_TEXT = "#4a5560"
INK = "#111820"

_TIME_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def _attr(v: object) -> str:
    return escape(str(v), quote=True)


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


# -- charts --------------------------------------------------------------------------------------
def chart_svg(chart: Chart, markers: tuple[Marker, ...] | list[Marker], text: Text, *,
              width: int = 920, height: int = 230, label: str = "",
              heading: tuple[str, str] | None = None, small: bool = False) -> str:
    """A time chart: mean line and min/max band per series, dashed thresholds, shaded
    firing spans, vertical markers, local-time axis. ``label`` is the SVG's accessible title;
    ``heading`` (tag, title) draws the caption inside the picture (for the PDF, where a
    caption must not be parted from its chart by a page break). ``small`` draws one of a
    grid of small multiples: ``SMALL_SIZE``, its heading inside, three value ticks, markers
    without words and thresholds without a label (the grid's introduction says what they are)."""
    if small:
        return _small_chart_svg(chart, markers, text, label=label, heading=heading)
    legend_rows = _legend_rows(chart, width) if len(chart.lines) > 1 else []
    head_h = 26 if heading else 0
    height += head_h
    left, right, top, bottom = 70, 18, 34 + head_h, 30
    legend_h = 22 * len(legend_rows)
    total_h = height + legend_h
    pw, ph = width - left - right, height - top - bottom
    t0, t1 = chart.start_ms, max(chart.end_ms, chart.start_ms + 1)

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * pw

    lo, hi = _value_range(chart)
    ticks = _nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" width="{width}" '
           f'height="{total_h}" class="chart" role="img" font-family="{_attr(FONT)}" font-size="12">',
           f"<title>{escape(label or chart.title)}</title>",
           *_heading(heading),
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="{GRID}"/>']
    for s, e in chart.firing:
        xa, xb = x(max(s, t0)), x(min(e, t1))
        if xb > xa:
            out.append(f'<rect class="firing" x="{xa:.1f}" y="{top}" width="{xb - xa:.1f}" height="{ph}" '
                       f'fill="{FIRING_FILL}"/>')
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for v in ticks:
        yy = y(v)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="{AXIS_TEXT}">'
                   f"{escape(format_tick(v, chart.unit, step))}</text>")
    out += _time_axis(t0, t1, x, top + ph, text)
    for i, line in enumerate(chart.lines):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        for seg in _segments(line.ts, line.bucket_ms):
            pts = [(x(line.ts[j]), y(line.value[j])) for j in seg if math.isfinite(line.value[j])]
            if line.bucket_ms and len(seg) > 1:
                upper = [(x(line.ts[j]), y(line.high[j])) for j in seg if math.isfinite(line.high[j])]
                lower = [(x(line.ts[j]), y(line.low[j])) for j in reversed(seg) if math.isfinite(line.low[j])]
                poly = " ".join(f"{a:.1f},{b:.1f}" for a, b in upper + lower)
                out.append(f'<polygon class="band" points="{poly}" fill="{colour}" fill-opacity="0.16" stroke="none"/>')
            if len(pts) == 1:
                out.append(f'<circle cx="{pts[0][0]:.1f}" cy="{pts[0][1]:.1f}" r="1.8" fill="{colour}"/>')
            elif pts:
                d = "M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                out.append(f'<path class="line" d="{d}" fill="none" stroke="{colour}" stroke-width="1.7" '
                           f'stroke-linejoin="round"/>')
    if not any(len(line.ts) for line in chart.lines):
        out.append(f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" fill="{AXIS_TEXT}" '
                   f'font-size="14">{escape(text("no_data"))}</text>')
    for v in chart.thresholds:
        yy = y(v)
        out.append(f'<line class="threshold" x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
                   f'stroke="{THRESHOLD}" stroke-width="1.4" stroke-dasharray="6 4"/>')
        below = yy - top < 16
        out.append(f'<text x="{left + pw - 4}" y="{yy + (13 if below else -5):.1f}" text-anchor="end" '
                   f'fill="{THRESHOLD}" font-size="11" paint-order="stroke" stroke="#ffffff" stroke-width="3">'
                   f'{escape(text("threshold", value=format_value(v, chart.unit)))}</text>')
    out += _markers(markers, x, t0, t1, top, ph, text)
    for row_i, row in enumerate(legend_rows):
        ly = height + 6 + row_i * 22
        for lx, i, name in row:
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            out.append(f'<rect x="{lx}" y="{ly}" width="16" height="4" fill="{colour}"/>')
            out.append(f'<text x="{lx + 22}" y="{ly + 6}" fill="{INK}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


SMALL_SIZE = (300, 150)


def _small_chart_svg(chart: Chart, markers, text: Text, *, label: str,
                     heading: tuple[str, str] | None) -> str:
    """One small multiple: same time span as its neighbours, so the eye compares them across."""
    width, height = SMALL_SIZE
    left, right, top, bottom = 44, 6, 24, 18
    pw, ph = width - left - right, height - top - bottom
    t0, t1 = chart.start_ms, max(chart.end_ms, chart.start_ms + 1)

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * pw

    lo, hi = _value_range(chart)
    ticks = _nice_ticks(lo, hi, want=3)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * ph

    title = (heading[1] if heading else "") or chart.title
    size = 11.5
    while _text_width(title, size) > width - 6 and size > 9:
        size -= 0.5
    while _text_width(title, size) > width - 6 and len(title) > 2:
        title = title[:-2] + "…"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" class="chart small" role="img" font-family="{_attr(FONT)}" font-size="9.5">',
           f"<title>{escape(label or chart.title)}</title>",
           f'<text x="2" y="13" font-size="{size:g}" font-weight="700" fill="{INK}">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="{GRID}"/>']
    for s, e in chart.firing:
        xa, xb = x(max(s, t0)), x(min(e, t1))
        if xb > xa:
            out.append(f'<rect class="firing" x="{xa:.1f}" y="{top}" width="{xb - xa:.1f}" height="{ph}" '
                       f'fill="{FIRING_FILL}"/>')
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for v in ticks:
        yy = y(v)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 3}" y="{yy + 3:.1f}" text-anchor="end" fill="{AXIS_TEXT}">'
                   f"{escape(format_tick(v, chart.unit, step))}</text>")
    span_s = (t1 - t0) / 1000
    tstep = next((s for s in _TIME_STEPS_S if pw * s / max(span_s, 1e-9) >= 70), _TIME_STEPS_S[-1])
    offset_s = text.offset_minutes * 60
    t = math.ceil((t0 / 1000 + offset_s) / tstep) * tstep - offset_s
    while t * 1000 <= t1:
        xx = x(t * 1000)
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 12}" text-anchor="middle" fill="{AXIS_TEXT}">'
                   f"{escape(text.clock(int(t * 1000), seconds=tstep < 60))}</text>")
        t += tstep
    for m in markers:
        if t0 <= m.ts <= t1:
            xx = x(m.ts)
            out.append(f'<line class="marker marker-{_attr(m.kind)}" x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" '
                       f'y2="{top + ph}" stroke="{MARKER_COLOURS.get(m.kind, INK)}" stroke-width="1" '
                       f'stroke-dasharray="2 2"/>')
    for v in chart.thresholds:
        yy = y(v)
        out.append(f'<line class="threshold" x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
                   f'stroke="{THRESHOLD}" stroke-width="1" stroke-dasharray="4 3"/>')
    for i, line in enumerate(chart.lines):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        for seg in _segments(line.ts, line.bucket_ms):
            pts = [(x(line.ts[j]), y(line.value[j])) for j in seg if math.isfinite(line.value[j])]
            if len(pts) == 1:
                out.append(f'<circle cx="{pts[0][0]:.1f}" cy="{pts[0][1]:.1f}" r="1.5" fill="{colour}"/>')
            elif pts:
                d = "M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                out.append(f'<path class="line" d="{d}" fill="none" stroke="{colour}" stroke-width="1.4"/>')
    if not any(len(line.ts) for line in chart.lines):
        out.append(f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" fill="{AXIS_TEXT}">'
                   f'{escape(text("no_data"))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _heading(heading: tuple[str, str] | None) -> list[str]:
    if not heading:
        return []
    tag, title = heading
    tag_part = f'<tspan fill="#c62828" font-weight="800">{escape(tag)}</tspan> ' if tag else ""
    return [f'<text x="4" y="17" font-size="15" font-weight="700" fill="{INK}">{tag_part}{escape(title)}</text>']


def _value_range(chart: Chart) -> tuple[float, float]:
    vals = [v for line in chart.lines for arr in (line.low, line.high, line.value) for v in arr if math.isfinite(v)]
    vals += list(chart.thresholds)
    if not vals:
        return (0.0, 1.0)
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    if min(vals) >= 0 and lo < 0:
        lo = 0.0  # rates, ratios and latencies are never negative: do not invent an axis below 0
    if chart.unit == "ratio" and max(vals) <= 1.0 and hi > 1.0:
        hi = 1.0
    return lo, hi


def _nice_ticks(lo: float, hi: float, want: int = 5) -> list[float]:
    raw = (hi - lo) / want
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step + 1e-9) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-6:
        if v >= lo - step * 1e-6:
            ticks.append(round(v, 12))
        v += step
    return ticks if len(ticks) >= 2 else [lo, hi]


def _time_axis(t0: int, t1: int, x, y0: float, text: Text) -> list[str]:
    span_s = (t1 - t0) / 1000
    px = x(t1) - x(t0)
    step = next((s for s in _TIME_STEPS_S if px * s / max(span_s, 1e-9) >= 84), _TIME_STEPS_S[-1])
    offset_s = text.offset_minutes * 60
    first = math.ceil((t0 / 1000 + offset_s) / step) * step - offset_s
    out = []
    t = first
    while t * 1000 <= t1:
        xx = x(t * 1000)
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{y0}" y2="{y0 + 5}" stroke="{AXIS_TEXT}"/>')
        out.append(f'<text x="{xx:.1f}" y="{y0 + 18}" text-anchor="middle" fill="{AXIS_TEXT}">'
                   f"{escape(text.clock(int(t * 1000), seconds=step < 60))}</text>")
        t += step
    out.append(f'<text x="4" y="{y0 + 18}" fill="{AXIS_TEXT}" font-size="11">{escape(text.offset)}</text>')
    return out


def _markers(markers, x, t0: int, t1: int, top: float, ph: float, text: Text) -> list[str]:
    out = []
    placed: list[tuple[float, int]] = []  # label x and row, to keep labels apart
    for m in sorted(markers, key=lambda m: m.ts):
        if not t0 <= m.ts <= t1:
            continue
        xx = x(m.ts)
        colour = MARKER_COLOURS.get(m.kind, INK)
        out.append(f'<line class="marker marker-{_attr(m.kind)}" x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" '
                   f'y2="{top + ph}" stroke="{colour}" stroke-width="1.3" stroke-dasharray="3 3"/>')
        word = text(f"mk_{m.kind}")
        row = 0
        while any(abs(px - xx) < 70 and r == row for px, r in placed):
            row += 1
        placed.append((xx, row))
        ty = top - 6 - (row % 2) * 14
        anchor = "start" if row >= 2 else "middle"
        out.append(f'<text x="{xx + (3 if anchor == "start" else 0):.1f}" y="{ty}" text-anchor="{anchor}" '
                   f'fill="{colour}" font-size="11" font-weight="600">{escape(word)}</text>')
    return out


def _segments(ts: tuple[int, ...], bucket_ms: int) -> list[list[int]]:
    """Index runs without gaps: a gap (more than 2.5 steps) stays a gap."""
    if not ts:
        return []
    diffs = [b - a for a, b in zip(ts, ts[1:])]
    typical = bucket_ms or (sorted(diffs)[len(diffs) // 2] if diffs else 1000)
    segs, cur = [], [0]
    for i in range(1, len(ts)):
        if ts[i] - ts[i - 1] > 2.5 * typical:
            segs.append(cur)
            cur = []
        cur.append(i)
    segs.append(cur)
    return segs


def _legend_rows(chart: Chart, width: int) -> list[list[tuple[float, int, str]]]:
    rows: list[list[tuple[float, int, str]]] = [[]]
    lx = 70.0
    for i, line in enumerate(chart.lines):
        w = 34 + _text_width(line.label, 12)
        if lx + w > width - 10 and rows[-1]:
            rows.append([])
            lx = 70.0
        rows[-1].append((lx, i, line.label))
        lx += w
    return rows


def _text_width(s: str, size: float) -> float:
    """A rough width of ``s`` in px: CJK characters are square, Latin ones about 0.58 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in s)


# -- the call-chain map --------------------------------------------------------------------------
NODE_W, NODE_H = 152.0, 54.0
COL_STEP, ROW_STEP = 192.0, 74.0
PAD, TOP = 14.0, 24.0
PORT_GAP = 7.0
GEOMETRY = RouteGeometry(col_step=COL_STEP, row_step=ROW_STEP, node_w=NODE_W, node_h=NODE_H, via_margin=8.0,
                         clearance=NODE_H / 2 + 5, port_gap=PORT_GAP, port_margin=16.0, end_inset=1.0)


def map_svg(facts: MapFacts, text: Text) -> str:
    """The call chain at ``facts.ts``: services in columns by call depth, coloured by level,
    the root cause outlined thick with a "ROOT CAUSE" badge, edges coloured by their errors."""
    nodes = {n.name: n for n in facts.nodes}
    if not nodes:
        return ""
    max_x = max(n.x for n in nodes.values())
    max_y = max(n.y for n in nodes.values())
    width = PAD * 2 + max_x * COL_STEP + NODE_W
    height = TOP + PAD + max_y * ROW_STEP + NODE_H

    def centre(n: MapNode) -> tuple[float, float]:
        return PAD + n.x * COL_STEP + NODE_W / 2, TOP + n.y * ROW_STEP + NODE_H / 2

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" '
           f'height="{_n(height)}" class="map" role="img" font-family="{_attr(FONT)}">',
           f"<title>{escape(text('map'))}</title>", "<defs>"]
    for level, colour in EDGE_STROKE.items():
        out.append(f'<marker id="arrow-{level}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
                   "</marker>")
    out.append("</defs>")
    routes = _routes(facts, nodes)
    rank = {"ok": 0, "unknown": 0, "warn": 1, "crit": 2}
    for e in sorted(facts.edges, key=lambda e: rank.get(e.level, 0)):
        pts = routes.get((e.caller, e.callee))
        if not pts:
            continue
        width_px = {"crit": 2.6, "warn": 2.0}.get(e.level, 1.2)
        dash = ' stroke-dasharray="4 3"' if e.level == "unknown" else ""
        out.append(f'<path class="edge edge-{e.level}" data-edge="{_attr(e.caller)}-&gt;{_attr(e.callee)}" '
                   f'd="{_curve(pts)}" fill="none" stroke="{EDGE_STROKE.get(e.level, "#999")}" '
                   f'stroke-width="{width_px}"{dash} marker-end="url(#arrow-{e.level})"/>')
    for n in facts.nodes:
        out += _node(n, *centre(n), text)
    out.append("</svg>")
    return "\n".join(out)


def _node(n: MapNode, cx: float, cy: float, text: Text) -> list[str]:
    x0, y0 = cx - NODE_W / 2, cy - NODE_H / 2
    stroke = LEVEL_STROKE.get(n.level, "#78848f")
    sw = 2.0 if n.level in ("ok", "unknown") else 3.0
    dash = ' stroke-dasharray="5 3"' if n.level == "unknown" else ""
    out = [f'<g class="node level-{n.level}{" root-cause" if n.root_cause else ""}" data-service="{_attr(n.name)}" '
           f'data-level="{n.level}">']
    if n.root_cause:
        out.append(f'<rect x="{x0 - 5:.1f}" y="{y0 - 5:.1f}" width="{NODE_W + 10}" height="{NODE_H + 10}" rx="11" '
                   f'fill="none" stroke="#8e0000" stroke-width="5"/>')
    out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{NODE_W}" height="{NODE_H}" rx="7" '
               f'fill="{LEVEL_FILL.get(n.level, "#eceff1")}" stroke="{stroke}" stroke-width="{sw}"{dash}/>')
    size = 15.0
    while _text_width(n.label, size) > NODE_W - 14 and size > 11:
        size -= 0.5
    label = n.label
    while _text_width(label, size) > NODE_W - 14 and len(label) > 2:
        label = label[:-2] + "…"
    name_y = y0 + (25 if n.root_cause else 23)
    out.append(f'<text x="{cx:.1f}" y="{name_y:.1f}" text-anchor="middle" font-size="{size:g}" font-weight="700" '
               f'fill="{INK}">{escape(label)}</text>')
    caption_fill = stroke if n.level in ("warn", "crit") else "#4a5560"
    caption = _caption(n, text)
    csize = 12.5
    while _text_width(caption, csize) > NODE_W - 8 and csize > 10:
        csize -= 0.5
    out.append(f'<text x="{cx:.1f}" y="{y0 + 43:.1f}" text-anchor="middle" font-size="{csize:g}" '
               f'fill="{caption_fill}">{escape(caption)}</text>')
    if n.root_cause:
        badge = text("root_cause_badge")
        bw = _text_width(badge, 12) + 16
        # On the top edge of the box, as on the wall (it covers the ring, not the name).
        out.append(f'<rect class="root-badge" x="{cx - bw / 2:.1f}" y="{y0 - 14:.1f}" width="{bw:.1f}" '
                   f'height="18" rx="4" '
                   f'fill="#c62828" stroke="#8e0000" stroke-width="1.5"/>')
        out.append(f'<text x="{cx:.1f}" y="{y0 - 0.5:.1f}" text-anchor="middle" font-size="12" font-weight="800" '
                   f'fill="#ffffff" letter-spacing="0.5">{escape(badge)}</text>')
    out.append("</g>")
    return out


def _caption(n: MapNode, text: Text) -> str:
    """As on the wall: what is wrong (errors, slow, loaded) rather than the traffic."""
    if n.level == "unknown":
        return text("no_data")
    parts = [text("cap_err", v=format_value(n.error_ratio, "ratio"))]
    if n.p99_s is not None and n.p99_s >= n.p99_warn_s:
        parts.append(f"p99 {format_value(n.p99_s, 'seconds')}")
    if n.saturation is not None and n.saturation >= n.saturation_warn:
        parts.append(text("cap_load", v=format_value(n.saturation, "ratio")))
    if len(parts) == 1:
        parts.insert(0, format_value(n.requests, "rate"))
    return " · ".join(parts)


def _routes(facts: MapFacts, nodes: dict[str, MapNode]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Out of the caller's right side, into the callee's left, through the gaps of skipped
    columns (``warroom.core.graph.edge_routes``), moved onto the page (node centres as ``map_svg``'s)."""
    pairs = [(e.caller, e.callee) for e in facts.edges if e.caller in nodes and e.callee in nodes]
    positions = {n.name: (n.x, n.y) for n in nodes.values()}
    dx, dy = PAD + NODE_W / 2, TOP + NODE_H / 2
    return {key: [(x + dx, y + dy) for x, y in pts] for key, pts in edge_routes(pairs, positions, GEOMETRY).items()}


def _curve(pts: list[tuple[float, float]]) -> str:
    """Smooth S-curves through the points, leaving and entering each one horizontally."""
    d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        dx = (bx - ax) / 2
        d += f" C{ax + dx:.1f},{ay:.1f} {bx - dx:.1f},{by:.1f} {bx:.1f},{by:.1f}"
    return d

