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

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF, QUrl
from PySide6.QtGui import (
    QColor, QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from warroom.report import Report, Text, render_html

#: Width of the text on an A4 page with 12 mm margins, in the document's CSS pixels.
PAGE_WIDTH_PX = 700
#: Height of a page's text area in the same pixels (A4 less the margins of ``write_pdf``).
PAGE_HEIGHT_PX = round(PAGE_WIDTH_PX * (297 - 26) / (210 - 24))
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
    """The report as a paginated ``QTextDocument`` (A4 text area) with its charts and map as images.

    Qt moves a picture that does not fit at the bottom of a page to the next one, which can
    leave half a page blank. So the page is laid out, every picture that was pushed over a
    gap of more than ``MAX_GAP`` of a page is made small enough to fit that gap (never below
    ``MIN_SHRINK`` of its size; a smaller gap is left), and laid out again."""
    ensure_app()
    svgs: list[tuple[str, str]] = []
    html = render_html(report, text, embed=lambda svg, kind: _placeholder(svgs, svg, kind), simple=True)
    images = {name: rasterise(svg, _WIDTHS.get(kind, PAGE_WIDTH_PX * 0.98)) for name, svg, kind in
              ((f"report-image-{i}.png", svg, kind) for i, (svg, kind) in enumerate(svgs))}
    shrink: dict[str, float] = {}
    doc = _document(html, images, shrink)
    for _ in range(6):
        pushed = _pushed_images(doc)
        todo = {n: f for n, f in pushed.items() if f >= MIN_SHRINK and shrink.get(n, 1.0) > f}
        if not todo:
            break
        for name, factor in todo.items():
            shrink[name] = factor * shrink.get(name, 1.0)
        doc = _document(html, images, shrink)
    return doc


MAX_GAP = 0.12  # of a page: a blank stretch up to this is the price of keeping a picture whole
MIN_SHRINK = 0.55  # a picture is never drawn smaller than this to fill a gap
_WIDTHS = {"map": PAGE_WIDTH_PX, "small": PAGE_WIDTH_PX / 3 - 18}  # three a row, with the cell padding


def _placeholder(svgs: list[tuple[str, str]], svg: str, kind: str) -> str:
    name = f"report-image-{len(svgs)}.png"
    svgs.append((svg, kind))
    # Width in the document, filled in by _document (it depends on the shrink factor).
    return f'<img src="{name}" width="@W{name}@">'


def _document(html: str, images: dict[str, QImage], shrink: dict[str, float]) -> QTextDocument:
    doc = QTextDocument()
    for name, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        width = image.width() / image.devicePixelRatio() * shrink.get(name, 1.0)
        html = html.replace(f"@W{name}@", str(round(width)))
    font = QFont()
    font.setFamilies(["Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", "sans-serif"])
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    doc.setPageSize(QSizeF(PAGE_WIDTH_PX, PAGE_HEIGHT_PX))
    return doc


def _pushed_images(doc: QTextDocument) -> dict[str, float]:
    """Pictures Qt moved to the top of a page past a gap larger than ``MAX_GAP`` of a page,
    with the factor that would make them fit the gap."""
    layout = doc.documentLayout()
    h = PAGE_HEIGHT_PX
    bottoms: list[float] = []
    pictures: list[tuple[str, float, float]] = []
    block = doc.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        if block.text().strip() or rect.height() > 0:
            it = block.begin()
            has_text = bool(block.text().replace("\ufffc", "").strip())
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isImageFormat():
                    img = fmt.toImageFormat()
                    pictures.append((img.name(), rect.top(), img.height() or rect.height()))
                it += 1
            if has_text or rect.height() > 0:
                bottoms.append(rect.bottom())
        block = block.next()
    out: dict[str, float] = {}
    for name, top, height in pictures:
        page = int(top // h)
        if page == 0 or top - page * h > 40:
            continue  # not at the top of a page
        before = [b for b in bottoms if page * h - h < b <= page * h]
        gap = page * h - (max(before) if before else page * h - h)
        if gap > MAX_GAP * h and height > gap:
            out[name] = max(0.0, (gap - 12) / height)
    return out


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
    doc.print_(writer)  # laid out at the page's width in CSS pixels; Qt scales it to the page
    return doc.pageCount()


def page_images(report: Report, text: Text, scale: float = 1.5) -> list[QImage]:
    """Each PDF page as an image (the text area, laid out as ``write_pdf`` lays it out): to
    look at the pages without a PDF viewer, and for tests of how full they are."""
    ensure_app()
    doc = build_document(report, text)
    images = []
    for page in range(doc.pageCount()):
        image = QImage(round(PAGE_WIDTH_PX * scale), round(PAGE_HEIGHT_PX * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        painter.translate(0, -page * PAGE_HEIGHT_PX)
        doc.drawContents(painter, QRectF(0, page * PAGE_HEIGHT_PX, PAGE_WIDTH_PX, PAGE_HEIGHT_PX))
        painter.end()
        images.append(image)
    return images
