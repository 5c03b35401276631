"""The PDF printed by Qt (warroom.ui.report_pdf): pages, pictures, the command."""

from __future__ import annotations

from dataclasses import replace

import pytest

from warroom.cli import main
from warroom.report import Text, render_html
from warroom.report.facts import TimelineRow
from warroom.report.svg import map_svg


def test_pdf_has_pages_and_pictures(report, tmp_path, qapp):
    from warroom.ui.report_pdf import build_document, write_pdf

    out = tmp_path / "report.pdf"
    pages = write_pdf(report, Text("zh_CN"), out)
    assert out.read_bytes().startswith(b"%PDF") and pages >= 3
    doc = build_document(report, Text("en"))
    assert report.summary.id in doc.toPlainText() and "bank-icbc" in doc.toPlainText()


def test_map_rasterises_at_the_width_asked(report, qapp):
    from warroom.ui.report_pdf import rasterise

    image = rasterise(map_svg(report.map, Text("en")), 700, scale=2)
    assert image.width() == 1400 and image.height() > 300
    # the ROOT CAUSE badge's red is there
    reds = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if image.pixelColor(x, y).name() == "#c62828")
    assert reds > 50


def test_simple_variant_has_no_inline_svg_when_embedded(report):
    page = render_html(report, Text("en"), embed=lambda svg, kind: f'<img src="{kind}">', simple=True)
    assert "<svg" not in page and page.count('<img src="chart">') == len(report.charts) + 1
    assert page.count('<img src="small">') == len(report.symptom_grid) > 0
    assert page.count('<img src="map">') == 1 and "display:grid" not in page


def test_report_command_writes_a_pdf(recording, tmp_path, qapp):
    out = tmp_path / "report.pdf"
    assert main(["report", "--incident", recording.incident_id, "--db", str(recording.path), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_no_page_but_the_last_is_half_empty(report, report_zh, qapp):
    """Pictures are kept whole, yet no page is left with a blank lower part (both languages)."""
    from warroom.ui.report_pdf import page_images

    for lang, facts in (("en", report), ("zh_CN", report_zh)):
        pages = page_images(facts, Text(lang), scale=0.5)
        assert len(pages) >= 3
        for n, image in enumerate(pages[:-1], 1):
            assert _filled(image) > 0.8, f"{lang} page {n} is {_filled(image):.0%} full"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("extra_rows", [0, 2, 5, 9, 14])
def test_pages_end_well_whatever_the_length(report, report_zh, lang, extra_rows, qapp):
    """Reports of different lengths (more timeline rows push every later section down by a
    row each): no heading or lead-in is the last thing on a page, the MTTx tiles and every
    picture are on one page, and no page but the last is less than three quarters inked."""
    from warroom.ui.report_pdf import PAGE_HEIGHT_PX, build_document, layout_parts, page_images

    facts = report if lang == "en" else report_zh
    rows = tuple(TimelineRow(facts.summary.started_ms + i, "ev_note", actor="li.wei", detail=f"note {i}")
                 for i in range(extra_rows))
    facts = replace(facts, timeline=facts.timeline + rows)
    text = Text(lang)
    doc = build_document(facts, text)
    parts = layout_parts(doc)

    def page(y: float) -> int:
        return int(y // PAGE_HEIGHT_PX)

    for part, after in zip(parts, parts[1:]):
        if part.kind == "heading":
            assert page(after.top) == page(part.top), f"{part.text!r} ends page {page(part.top) + 1}"
        if part.kind in ("picture", "heading"):
            assert page(part.bottom - 1) == page(part.top), f"{part.kind} {part.text!r} split"
    tiles = [p for p in parts if p.kind == "table" and p.text.startswith(text("mttd"))]
    assert len(tiles) == 1 and page(tiles[0].bottom - 1) == page(tiles[0].top)
    mapped = [i for i, p in enumerate(parts) if p.kind == "heading" and p.text == text("map")]
    assert len(mapped) == 1  # the map's heading, the worst moment and the map itself on one page
    lead = parts[mapped[0]: next(i for i, p in enumerate(parts) if p.kind == "picture" and i > mapped[0]) + 1]
    assert len({page(p.top) for p in lead} | {page(lead[-1].bottom - 1)}) == 1
    pages = page_images(facts, text, scale=0.4)
    assert len(pages) == doc.pageCount() >= 3
    for n, image in enumerate(pages[:-1], 1):
        assert _filled(image) > 0.75, f"{lang} +{extra_rows}: page {n} is {_filled(image):.0%} full"


def test_every_symptom_is_drawn_as_a_small_multiple(report):
    drawn = {c.alert.series for c in report.charts if c.alert} | {c.alert.series for c in report.symptom_grid}
    assert {a.series for a in report.alerts} <= drawn
    assert len(report.symptom_grid) >= 6 and all(c.firing for c in report.symptom_grid)
    assert len({(c.start_ms, c.end_ms) for c in report.symptom_grid}) == 1  # one time axis


def _filled(image) -> float:
    """How far down the page its last inked row is (0..1)."""
    w, h = image.width(), image.height()
    for y in range(h - 1, -1, -1):
        if any(image.pixelColor(x, y).lightness() < 200 for x in range(0, w, 2)):
            return (y + 1) / h
    return 0.0
