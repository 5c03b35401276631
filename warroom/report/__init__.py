"""Post-incident reports: one self-contained HTML page per incident, from a history file.

    build_report(reader, incident_id) -> Report     the facts, as plain data (model.py)
    render_html(report, Text(lang)) -> str          the page (html.py, svg.py, text.py)
    write_report(db, incident_id, out, lang=...)    both, from a file to a file
    load_report(db, incident_id, lang=...)          the facts and the words (for other renderers:
                                                    warroom.ui.report_pdf prints a PDF)
    worst_moment(reader, incident, events) -> int   the moment a report maps and a replay jumps to

GUI-free: ``warroom report`` runs on a server. See docs/report.md.
"""

from __future__ import annotations

from pathlib import Path

from warroom.report.facts import Report, ReportError
from warroom.report.html import render_html
from warroom.report.model import build_report, find_incident
from warroom.report.text import LANGS, Text, choose_lang
from warroom.report.worst import worst_moment

__all__ = ["LANGS", "Report", "ReportError", "Text", "build_report", "choose_lang", "find_incident",
           "load_report", "open_history", "render_html", "worst_moment", "write_report"]


def open_history(db: Path):
    """A ``HistoryReader`` on ``db`` (read-only); ``ReportError`` saying why when it cannot be read."""
    from warroom.store.query import HistoryReader

    db = Path(db)
    if not db.exists():
        raise ReportError(f"no such file: {db}")
    if db.is_dir():
        raise ReportError(f"{db} is a folder, not a history file")
    try:
        return HistoryReader(db)
    except Exception as exc:  # duckdb raises its own types; a newer schema raises StoreError
        raise ReportError(f"cannot read {db} as a Warroom history: {exc}") from None


def load_report(db: Path, incident_id: str, *, lang: str | None = None,
                utc_offset_minutes: int = 8 * 60) -> tuple[Report, Text]:
    """The facts of ``incident_id`` in history ``db`` and the words to print them with."""
    text = Text(choose_lang(lang), utc_offset_minutes)
    reader = open_history(db)
    try:
        report = build_report(reader, incident_id, source=Path(db).name, lang=text.lang)
    finally:
        reader.close()
    return report, text


def write_report(db: Path, incident_id: str, out: Path, *, lang: str | None = None,
                 utc_offset_minutes: int = 8 * 60) -> Report:
    """Write the HTML report of ``incident_id`` in history ``db`` to ``out``; returns its facts."""
    report, text = load_report(db, incident_id, lang=lang, utc_offset_minutes=utc_offset_minutes)
    Path(out).write_text(render_html(report, text), encoding="utf-8")
    return report
