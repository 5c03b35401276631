"""Where Warroom reads what it ships and writes what the user owns (warroom.core.settings.paths)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

from warroom.core.settings import paths
from warroom.core.settings.layouts import available, layouts_dir
from warroom.core.alerting.rules import default_rules_path

CHECKOUT = Path(__file__).resolve().parents[3]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private HOME and XDG folders: nothing here touches the real home."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                "WARROOM_RESOURCES", "WARROOM_LAYOUTS", "WARROOM_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    paths.set_recordings_dir(None)
    yield tmp_path / "home"
    paths.set_recordings_dir(None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG layout is Linux's")
def test_user_folders_follow_the_xdg_variables(home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.config_dir() == tmp_path / "cfg" / "warroom"
    assert paths.default_config_file() == tmp_path / "cfg" / "warroom" / "config.yaml"
    assert paths.rules_dir() == tmp_path / "cfg" / "warroom" / "rules"
    assert paths.plans_dir() == tmp_path / "cfg" / "warroom" / "plans"
    assert paths.data_dir() == tmp_path / "data" / "warroom"
    assert paths.recordings_dir() == tmp_path / "data" / "warroom" / "recordings"
    assert paths.logs_dir() == tmp_path / "state" / "warroom" / "log"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG layout is Linux's")
def test_without_xdg_variables_the_folders_are_under_home(home):
    assert paths.config_dir() == home / ".config" / "warroom"
    assert paths.recordings_dir() == home / ".local" / "share" / "warroom" / "recordings"
    assert paths.logs_dir() == home / ".local" / "state" / "warroom" / "log"


def test_computing_paths_creates_nothing(home):
    for fn in (paths.config_dir, paths.rules_dir, paths.plans_dir, paths.data_dir, paths.recordings_dir,
               paths.logs_dir, paths.default_config_file):
        fn()
    assert not home.exists()


def test_from_a_checkout_the_shipped_files_are_the_checkouts(home):
    assert not paths.is_frozen()
    assert paths.bundle_root() == CHECKOUT
    assert paths.resource_dir() == CHECKOUT / "resources"
    assert paths.layouts_root() == CHECKOUT / "layouts"
    assert (paths.resource_dir() / "rules" / "default.yaml").is_file()
    assert (paths.resource_dir() / "i18n" / "warroom_zh_CN.qm").is_file()
    assert (paths.layouts_root() / "command-centre.json").is_file()


def test_frozen_the_shipped_files_come_from_the_bundle(home, tmp_path, monkeypatch):
    bundle = tmp_path / "_internal"
    (bundle / "resources" / "rules").mkdir(parents=True)
    (bundle / "layouts").mkdir()
    (bundle / "layouts" / "wall.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert paths.is_frozen()
    assert paths.resource_dir() == bundle / "resources"
    assert paths.layouts_root() == bundle / "layouts"
    # the call sites that used to compute their own paths follow it
    assert default_rules_path() == bundle / "resources" / "rules" / "default.yaml"
    assert layouts_dir() == bundle / "layouts"
    assert available() == ["wall"]


def test_frozen_without_a_bundle_folder_is_not_frozen(home, monkeypatch):
    """``sys.frozen`` alone (another freezer) does not send us looking for ``_MEIPASS``."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert not paths.is_frozen()
    assert paths.resource_dir() == CHECKOUT / "resources"


def test_environment_variables_override_the_shipped_folders(home, tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("WARROOM_LAYOUTS", str(tmp_path / "lay"))
    assert paths.resource_dir() == tmp_path / "res"
    assert paths.layouts_root() == tmp_path / "lay"
    assert default_rules_path() == tmp_path / "res" / "rules" / "default.yaml"


def test_the_configured_recordings_folder_takes_the_new_recordings(home, tmp_path):
    paths.set_recordings_dir(tmp_path / "rec")
    assert paths.recordings_dir() == tmp_path / "rec"
    p = paths.new_recording_path("demo", now=datetime(2026, 11, 11, 0, 0, 5))
    assert p == tmp_path / "rec" / "demo-20261111-000005.duckdb"
    paths.set_recordings_dir(None)
    assert paths.recordings_dir() == paths.data_dir() / "recordings"


def test_the_shipped_icons_are_there_in_every_size():
    """The window icon and the installed icons come from resources/icons (hicolor layout)."""
    import struct

    root = paths.resource_dir() / "icons" / "hicolor"
    assert (root / "scalable" / "apps" / f"{paths.APP_ID}.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = root / f"{size}x{size}" / "apps" / f"{paths.APP_ID}.png"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", png
        assert struct.unpack(">II", head[16:24]) == (size, size), png
