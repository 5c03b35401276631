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
    assert page.count('<img src="map">') == 1 and "display:grid" not in page


def test_report_command_writes_a_pdf(recording, tmp_path, qapp):
    out = tmp_path / "report.pdf"
    assert main(["report", "--incident", recording.incident_id, "--db", str(recording.path), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
