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
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout, QColor, QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter,
    QTextBlock, QTextCursor, QTextDocument, QTextFormat, QTextFrame, QTextTable,
)
from PySide6.QtSvg import QSvgRenderer

from warroom.report import Report, Text, render_html
from warroom.report.html import LATE_SECTIONS

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

    Qt's rich text paginates line by line and knows no "keep with next": left alone it ends a
    page with a heading whose content is on the next one, splits a small table, and moves a
    picture that does not fit to the next page past a blank stretch. So the document is laid
    out, the first such place is mended and it is laid out again, until none is left
    (``_mend``): a picture is drawn smaller to fit (never below ``MIN_SHRINK`` of its size),
    else a page break goes before the heading that leads to it. When that still leaves a
    page less than ``MIN_FILL`` inked, the map floats past the next section or two, as a
    printed figure would (``FLOATS``); the order that fills its pages best is kept."""
    ensure_app()
    rasters: dict[tuple[str, str], QImage] = {}
    best: tuple[float, QTextDocument] | None = None
    for late in FLOATS:
        doc = _laid_out(report, text, late, rasters)
        fill = _least_fill(layout_parts(doc), doc.pageCount())
        if best is None or fill > best[0] + 0.01:
            best = (fill, doc)
        if fill >= MIN_FILL:
            break
    assert best is not None
    return best[1]


#: The orders of the sections after the charts tried, the first that fills its pages is taken.
FLOATS = (LATE_SECTIONS, ("plans", "map", "actions", "notes"), ("plans", "actions", "map", "notes"))
#: How far down every page but the last should be inked.
MIN_FILL = 0.78


def _laid_out(report: Report, text: Text, late: tuple[str, ...],
              rasters: dict[tuple[str, str], QImage]) -> QTextDocument:
    svgs: list[tuple[str, str]] = []
    html = render_html(report, text, embed=lambda svg, kind: _placeholder(svgs, svg, kind), simple=True, late=late)
    images = {}
    for i, (svg, kind) in enumerate(svgs):
        if (svg, kind) not in rasters:
            rasters[(svg, kind)] = rasterise(svg, _WIDTHS.get(kind, PAGE_WIDTH_PX * 0.98))
        images[f"report-image-{i}.png"] = rasters[(svg, kind)]
    shrink: dict[str, float] = {}
    breaks: set[int] = set()
    doc = _document(html, images, shrink, breaks)
    for _ in range(60):  # each round shrinks a picture or adds a break, so this ends; 60 is a guard
        if not _mend(layout_parts(doc), shrink, breaks):
            break
        doc = _document(html, images, shrink, breaks)
    return doc


def _least_fill(parts: list[Part], pages: int) -> float:
    """How far down the least inked page but the last is laid out (1.0 with one page)."""
    h = PAGE_HEIGHT_PX
    fills = []
    for n in range(pages - 1):
        bottoms = [min(p.bottom, (n + 1) * h) for p in parts if p.top < (n + 1) * h and p.bottom > n * h]
        fills.append((max(bottoms) - n * h) / h if bottoms else 0.0)
    return min(fills, default=1.0)


MAX_GAP = 0.2  # of a page: a blank stretch up to this is the price of keeping a picture whole
MIN_SHRINK = 0.6  # a picture is never drawn smaller than this to fill a gap
#: A table up to this part of a page is kept on one page; a longer one may be split, but keeps
#: its header and first row with the heading above it.
SMALL_TABLE = 0.4
#: A page break that would leave more than this part of a page blank is made only to keep a
#: heading with what follows, not to keep a small table whole.
MAX_BREAK_GAP = 0.2
#: Headings and the short text after them (up to this part of a page) stay with what they introduce.
MAX_LEAD = 0.3
_TOP = 20.0  # a part starting this close to a page's top is at the top (the page's margin)
_SPACING = 12.0  # between paragraphs (Qt's default margins of <p>)
_MARGIN = 8.0  # the document's margin at a page's foot, and a little to spare
_WIDTHS = {"map": PAGE_WIDTH_PX, "small": PAGE_WIDTH_PX / 3 - 18}  # three a row, with the cell padding


def _placeholder(svgs: list[tuple[str, str]], svg: str, kind: str) -> str:
    name = f"report-image-{len(svgs)}.png"
    svgs.append((svg, kind))
    # Width in the document, filled in by _document (it depends on the shrink factor).
    return f'<img src="{name}" width="@W{name}@">'


def _document(html: str, images: dict[str, QImage], shrink: dict[str, float],
              breaks: set[int] = frozenset()) -> QTextDocument:  # type: ignore[assignment]
    """The document with pictures at their shrink factors and page breaks before the parts
    numbered in ``breaks`` (children of the root frame, in order: the same in every build)."""
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
    if breaks:
        for index, (block, table) in enumerate(_children(doc)):
            if index not in breaks:
                continue
            if table is not None:
                tf = table.frameFormat()
                tf.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                table.setFrameFormat(tf)
            else:
                bf = block.blockFormat()
                bf.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(bf)
    return doc


@dataclass
class Part:
    """One child of the document's root frame as laid out: a heading, text, a picture or a table."""

    index: int
    kind: str  # "heading", "text", "picture", "table"
    top: float
    bottom: float
    #: How far down the part must be on the page it starts on together with its lead: all of it,
    #: but only the first lines of a long text and the header and first row of a long table.
    keep: float
    image: str = ""  # a picture's resource name
    text: str = ""  # its text (a table's: its first cell's), to tell which part it is
    #: ``keep`` when there is no better place: a small table's header and first row.
    least: float = 0.0


def _children(doc: QTextDocument) -> list[tuple[QTextBlock, QTextFrame | None]]:
    """The root frame's children in order: (block, None) or (its first block, table)."""
    out: list[tuple[QTextBlock, QTextFrame | None]] = []
    it = doc.rootFrame().begin()
    while not it.atEnd():
        frame = it.currentFrame()
        if frame is not None:
            out.append((doc.findBlock(frame.firstPosition()), frame))
        elif it.currentBlock().isValid():
            out.append((it.currentBlock(), None))
        it += 1
    return out


def layout_parts(doc: QTextDocument) -> list[Part]:
    """The root frame's children with their kind and where they were laid out (page ``n``
    spans ``n * PAGE_HEIGHT_PX`` to ``(n + 1) * PAGE_HEIGHT_PX``); empty blocks left out."""
    layout = doc.documentLayout()
    parts = []
    for index, (block, frame) in enumerate(_children(doc)):
        if frame is not None:
            rect = layout.frameBoundingRect(frame)
            least = _rows_bottom(doc, frame, 2) if isinstance(frame, QTextTable) else rect.bottom()
            keep = rect.bottom() if rect.height() <= SMALL_TABLE * PAGE_HEIGHT_PX else least
            top = rect.top()
            first_page = int(_span(layout, block)[0] // PAGE_HEIGHT_PX)
            if first_page > top // PAGE_HEIGHT_PX:
                top = first_page * PAGE_HEIGHT_PX  # Qt moved its first row to the next page
            parts.append(Part(index, "table", top, rect.bottom(), keep, least=least, text=block.text()))
            continue
        rect = layout.blockBoundingRect(block)
        if rect.height() <= 0:
            continue  # an empty block Qt leaves after a table
        top, bottom = _span(layout, block)
        rect = QRectF(rect.left(), top, rect.width(), bottom - top)
        image = _image_name(block)
        if block.blockFormat().headingLevel() > 0:
            parts.append(Part(index, "heading", rect.top(), rect.bottom(), rect.bottom(), text=block.text()))
        elif image and not block.text().replace("\ufffc", "").strip():
            parts.append(Part(index, "picture", rect.top(), rect.bottom(), rect.bottom(), image))
        else:
            lines = block.layout()
            first = sum(lines.lineAt(i).height() for i in range(min(2, lines.lineCount())))
            parts.append(Part(index, "text", rect.top(), rect.bottom(), min(rect.bottom(), rect.top() + first + 2),
                              text=block.text()))
    return parts


def _span(layout: QAbstractTextDocumentLayout, block: QTextBlock) -> tuple[float, float]:
    """Where a block's lines are (top, bottom). Qt moves a line that does not fit to the next
    page by its offset in the block, but ``blockBoundingRect`` starts where the block does."""
    rect = layout.blockBoundingRect(block)
    lines = block.layout()
    top = rect.top() + (lines.lineAt(0).y() if lines is not None and lines.lineCount() else 0.0)
    return top, top + rect.height()


def _rows_bottom(doc: QTextDocument, table: QTextTable, rows: int) -> float:
    """The bottom of a table's first ``rows`` rows."""
    layout = doc.documentLayout()
    bottom = layout.frameBoundingRect(table).top()
    for r in range(min(rows, table.rows())):
        for c in range(table.columns()):
            cell = table.cellAt(r, c)
            if cell.isValid():
                bottom = max(bottom, _span(layout, cell.lastCursorPosition().block())[1])
    return bottom


def _image_name(block: QTextBlock) -> str:
    it = block.begin()
    while not it.atEnd():
        fmt = it.fragment().charFormat()
        if fmt.isImageFormat():
            return fmt.toImageFormat().name()
        it += 1
    return ""


def _mend(parts: list[Part], shrink: dict[str, float], breaks: set[int]) -> bool:
    """Mend the first place a page ends badly (shrink a picture or add a page break); False if none.

    A *unit* is what must start and end on one page: a heading with the short text after it
    (its lead) and what it introduces (a picture, a small table, the header and first row of
    a long one, or the first lines of a text), and a picture with the one- or two-line
    captions under it. A unit that does not fit the rest of its page has its picture drawn
    smaller to fit, else a page break before it. A picture Qt pushed to the next page past a
    blank stretch of more than ``MAX_GAP`` of a page is drawn smaller to fit that stretch."""
    h = PAGE_HEIGHT_PX

    def page(y: float) -> int:
        return int(y // h)

    def at_top(p: Part) -> bool:
        return p.top - page(p.top) * h < _TOP

    for start, i in _units(parts):
        first, part = parts[start], parts[i]
        end = part.keep
        if part.kind == "picture":
            end = parts[_captions(parts, i)].bottom
        height = part.bottom - part.top
        done = shrink.get(part.image, 1.0)
        if page(first.top) != page(end - 1):
            if part.kind == "picture" and height > 0:
                lead_bottom = parts[i - 1].bottom + _SPACING if start < i else first.top
                room = (page(first.top) + 1) * h - _MARGIN - lead_bottom - (end - part.bottom)
                if MIN_SHRINK <= done * room / height < done:
                    shrink[part.image] = done * room / height
                    return True
            gap = (page(first.top) + 1) * h - max((p.bottom for p in parts[:start]), default=0.0)
            if part.kind == "table" and gap > MAX_BREAK_GAP * h and page(first.top) == page(part.least - 1):
                # rather split a small table after its first row than leave a page a quarter blank;
                # but a picture above it on the page may give up the little room the rest needs
                over = part.bottom - (page(first.top) + 1) * h + _MARGIN
                above = [p for p in parts[:start] if p.kind == "picture" and page(p.top) == page(first.top)]
                if above and over < 0.1 * h:
                    pic = max(above, key=lambda p: p.bottom - p.top)
                    factor = 1 - over / (pic.bottom - pic.top)
                    if shrink.get(pic.image, 1.0) * factor >= MIN_SHRINK:
                        shrink[pic.image] = shrink.get(pic.image, 1.0) * factor
                        return True
                continue
            if not at_top(first) and first.index not in breaks:
                breaks.add(first.index)
                return True
        elif start == i and part.kind == "picture" and at_top(part) and page(part.top) > 0:
            top = page(part.top) * h
            gap = top - max((p.bottom for p in parts[:i] if p.bottom <= top), default=top - h)
            room = gap - _SPACING - _MARGIN
            if gap > MAX_GAP * h and height > room and MIN_SHRINK <= done * room / height:
                shrink[part.image] = done * room / height
                return True
    return False


def _units(parts: list[Part]) -> list[tuple[int, int]]:
    """(first part, the part it leads to) of every unit, in order: pictures and tables with
    their lead, and the first text after a heading that leads to no picture or table."""
    units = []
    covered: set[int] = set()
    for i, part in enumerate(parts):
        if part.kind in ("picture", "table"):
            start = _lead(parts, i)
            units.append((i if start is None else start, i))
            covered.update(range(i if start is None else start, i))
    for i, part in enumerate(parts):
        if part.kind == "text" and i not in covered:
            start = _lead(parts, i)
            if start is not None:
                units.append((start, i))
    return sorted(units)


def _captions(parts: list[Part], i: int) -> int:
    """The last of the short lines right under the picture ``parts[i]`` (a legend, a note)."""
    tail = i
    while (tail + 1 < len(parts) and parts[tail + 1].kind == "text" and tail - i < 2
           and parts[tail + 1].bottom - parts[tail + 1].top < 45):
        tail += 1
    return tail


def _lead(parts: list[Part], i: int) -> int | None:
    """The first part of the lead of ``parts[i]``: the headings and short text right above it,
    starting at a heading; None if it has none."""
    j = i - 1
    start = None
    while (j >= 0 and parts[j].kind in ("heading", "text")
           and parts[i - 1].bottom - parts[j].top <= MAX_LEAD * PAGE_HEIGHT_PX):
        if parts[j].kind == "heading":
            start = j
        elif start is not None:
            break  # text above the heading belongs to the section before
        j -= 1
    return start


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
