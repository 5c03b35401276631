"""The desktop integration files agree with each other and with the app (packaging/linux)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from warroom import __version__
from warroom.core.settings.paths import APP_ID, resource_dir

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def desktop_entry() -> configparser.ConfigParser:
    p = configparser.ConfigParser(interpolation=None)
    p.optionxform = str  # keys are case-sensitive
    p.read(DESKTOP, encoding="utf-8")
    return p


def test_the_launcher_names_the_app_in_english_and_chinese_and_uses_the_app_id():
    d = desktop_entry()["Desktop Entry"]
    assert d["Type"] == "Application"
    for key in ("Name", "GenericName", "Comment", "Keywords"):
        assert d[key] and d[f"{key}[zh_CN]"], key
    assert d["Icon"] == APP_ID
    assert d["Exec"].split()[0] == d["TryExec"] == "warroom"  # install.sh makes it absolute
    assert d["StartupWMClass"] == "Warroom"  # QApplication.applicationName()


def test_every_launcher_action_has_a_chinese_name_and_runs_warroom():
    p = desktop_entry()
    actions = [a for a in p["Desktop Entry"]["Actions"].split(";") if a]
    assert actions
    for a in actions:
        section = p[f"Desktop Action {a}"]
        assert section["Name"] and section["Name[zh_CN]"]
        assert section["Exec"].split()[0] == "warroom"


def test_the_appstream_file_describes_the_same_app_in_both_languages():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    for tag in ("name", "summary"):
        langs = {e.get(LANG) for e in root.findall(tag)}
        assert langs == {None, "zh_CN"}, tag
    paragraphs = root.find("description").findall("p")
    assert {p.get(LANG) for p in paragraphs} == {None, "zh_CN"}
    assert root.find("provides").findtext("binary") == "warroom"
    assert __version__ in [r.get("version") for r in root.find("releases")]


def test_the_svg_icon_is_square_and_named_after_the_app():
    svg = resource_dir() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    root = ET.parse(svg).getroot()
    assert root.get("viewBox") == "0 0 512 512"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_launcher_validates():
    r = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert r.returncode == 0 and "error" not in r.stdout, r.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream not installed")
def test_the_appstream_file_validates():
    r = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_console_sets_its_desktop_file_name_and_window_icon(qapp):
    from warroom.ui.app import set_app_icon

    assert set_app_icon(qapp)
    sizes = {(s.width(), s.height()) for s in qapp.windowIcon().availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    source = (ROOT / "warroom" / "ui" / "app.py").read_text(encoding="utf-8")
    assert "app.setDesktopFileName(APP_ID)" in source
