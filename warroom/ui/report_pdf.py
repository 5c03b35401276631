"""The post-incident report as a PDF, printed by Qt (``warroom report --out FILE.pdf``).

Qt's rich text (``QTextDocument``) prints to PDF without a browser, but it knows neither
inline SVG nor CSS grids: the page is rendered in its table-only variant
(``render_html(simple=True)``) and every chart and the map are rasterised with
``QSvgRenderer`` at print resolution and added to the document as image resources.
The HTML report stays the primary, vector form; this is for mailing and printing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QColor, QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from warroom.report import Report, Text, render_html

#: Width of the text on an A4 page with 12 mm margins, in the document's CSS pixels.
PAGE_WIDTH_PX = 700
_SCALE = 3.0  # raster pixels per CSS pixel: sharp on paper (about 290 dpi at full width)


def ensure_app() -> QGuiApplication:
    """A Qt application for painting text and images; offscreen when there is no display."""
    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    return app  # type: ignore[return-value]


def rasterise(svg: str, width_px: float, scale: float = _SCALE) -> QImage:
    """An SVG drawn on white at ``width_px`` CSS pixels wide (``scale`` raster pixels each)."""
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    if size.isEmpty():
        raise ValueError("not a drawable SVG")
    height_px = width_px * size.height() / size.width()
    image = QImage(round(width_px * scale), round(height_px * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter)
    painter.end()
    image.setDevicePixelRatio(scale)
    return image


def build_document(report: Report, text: Text) -> QTextDocument:
    """The report as a ``QTextDocument`` with its charts and map as images."""
    doc = QTextDocument()
    images: list[tuple[str, QImage]] = []

    def embed(svg: str, kind: str) -> str:
        width = PAGE_WIDTH_PX if kind == "map" else PAGE_WIDTH_PX * 0.98
        name = f"report-image-{len(images)}.png"
        image = rasterise(svg, width)
        images.append((name, image))
        return f'<img src="{name}" width="{round(width)}">'

    html = render_html(report, text, embed=embed, simple=True)
    for name, image in images:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    font = QFont()
    font.setFamilies(["Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", "sans-serif"])
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc


def write_pdf(report: Report, text: Text, out: Path) -> int:
    """Print the report to ``out`` (A4); returns the number of pages."""
    ensure_app()
    doc = build_document(report, text)
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(12, 12, 12, 14), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(text("doc_title", id=report.summary.id))
    writer.setCreator(f"Warroom {report.version}")
    # Lay the text out at the page's width in CSS pixels, then let Qt scale it to the page.
    doc.setPageSize(QSizeF(PAGE_WIDTH_PX, PAGE_WIDTH_PX * 297 / 210))
    doc.print_(writer)
    return doc.pageCount()
