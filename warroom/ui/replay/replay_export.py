"""What the replay window exports for the incident at its cursor: the report and the bundle.

Both read the history the replay already holds open (DuckDB lets one process open a file
once), so they work on a file that is also taking review notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication

from warroom.app.replay import ReplaySession


def write_export(session: ReplaySession, incident_id: str, kind: str, out: Path, lang: str,
                 progress: Callable[[str, float], None] | None = None) -> str:
    """Write ``kind`` (``html``, ``pdf`` or ``bundle``) of ``incident_id`` to ``out``; a line saying so.
    ``progress(stage, fraction)`` follows a bundle's export."""
    if kind in ("html", "pdf"):
        from warroom.report import Text, build_report, render_html

        report = build_report(session.reader, incident_id, source=session.source, events=session.events(), lang=lang)
        text = Text(lang)
        if kind == "html":
            out.write_text(render_html(report, text), encoding="utf-8")
        else:
            from warroom.ui.report_pdf import write_pdf

            write_pdf(report, text, out)
        return QCoreApplication.translate("ReplayBar", "Report written: %1").replace("%1", str(out))
    if kind == "bundle":
        from warroom.store.bundle import export_bundle

        if session.path is None:
            raise ValueError("this replay has no file to export from")
        cursor = session.reader.cursor()
        try:
            info = export_bundle(session.path, out, incident_id, connection=cursor, overwrite=True,
                                 progress=progress)
        finally:
            cursor.close()
        return QCoreApplication.translate("ReplayBar", "Bundle written: %1 (%2 MB)").replace("%1", str(out)).replace(
            "%2", f"{info.size_bytes / 1e6:.1f}")
    raise ValueError(f"unknown export {kind!r}")
