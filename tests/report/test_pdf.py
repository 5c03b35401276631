"""The PDF printed by Qt (warroom.ui.report_pdf): pages, pictures, the command."""

from __future__ import annotations

from warroom.cli import main
from warroom.report import Text, render_html
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


def test_no_page_but_the_last_is_half_empty(report, qapp):
    """Pictures are kept whole, yet no page is left with a blank lower part (both languages)."""
    from warroom.ui.report_pdf import page_images

    for lang in ("en", "zh_CN"):
        pages = page_images(report, Text(lang), scale=0.5)
        assert len(pages) >= 3
        for n, image in enumerate(pages[:-1], 1):
            assert _filled(image) > 0.8, f"{lang} page {n} is {_filled(image):.0%} full"


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
