"""``warroom report``: writes the file, says clearly what is wrong."""

from __future__ import annotations

from warroom.cli import main


def test_report_command_writes_a_page(recording, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", "--incident", recording.incident_id, "--db", str(recording.path), "--out", str(out),
                 "--lang", "zh_CN"]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and recording.incident_id in page and "事故复盘报告" in page
    assert str(out) in capsys.readouterr().out


def test_unknown_incident_lists_the_known_ones(recording, tmp_path, capsys):
    assert main(["report", "--incident", "INC-0", "--db", str(recording.path), "--out",
                 str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "no incident 'INC-0'" in err and recording.incident_id in err
    assert not (tmp_path / "r.html").exists()


def test_missing_or_unreadable_file(tmp_path, capsys):
    assert main(["report", "--incident", "x", "--db", str(tmp_path / "none.duckdb"), "--out",
                 str(tmp_path / "r.html")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    assert main(["report", "--incident", "x", "--db", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_out_must_be_html_or_pdf(recording, tmp_path, capsys):
    assert main(["report", "--incident", recording.incident_id, "--db", str(recording.path), "--out",
                 str(tmp_path / "r.txt")]) == 2
    assert "FILE.html" in capsys.readouterr().err
