"""Where Warroom reads and keeps its files.

Two kinds of place:

- **What ships with Warroom** (read-only): ``resource_dir()`` (alert rules, example plans and
  notification channels, translations, icons) and ``layouts_root()``. From a source checkout
  they are the checkout's ``resources/`` and ``layouts/``; in a frozen build (PyInstaller,
  ``sys.frozen``) they sit in the bundle's data folder (``sys._MEIPASS``).
- **What belongs to the user**, per the platform's conventions (platformdirs): the
  configuration file and the user's own rules and plans under ``config_dir()``, recordings
  under ``data_dir()``, logs under ``logs_dir()``.

Only computes paths; callers create directories when they write. ``WARROOM_RESOURCES`` and
``WARROOM_LAYOUTS`` override the shipped folders; ``set_recordings_dir`` (the configuration's
``recordings_dir``) overrides where recordings go.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import platformdirs

APP_NAME = "warroom"
#: The reverse-DNS application id: the .desktop file's name, the AppStream id, the icon name.
APP_ID = "io.github.warroom.Warroom"
CONFIG_FILE_NAME = "config.yaml"

_recordings_override: Path | None = None


def is_frozen() -> bool:
    """True when running from a frozen build (PyInstaller) rather than a Python environment."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """The folder holding the shipped ``resources/`` and ``layouts/``.

    Frozen: the bundle's data folder (``sys._MEIPASS``, ``_internal/`` beside the executable
    of a one-folder build). Otherwise the source checkout (the folder holding ``warroom/``).
    """
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]
    return Path(__file__).resolve().parents[3]


def resource_dir() -> Path:
    """The shipped resources: ``rules/``, ``plans/``, ``i18n/``, ``icons/``, examples."""
    env = os.environ.get("WARROOM_RESOURCES")
    return Path(env) if env else bundle_root() / "resources"


def layouts_root() -> Path:
    """The shipped window layouts (``layouts/*.json``; ``WARROOM_LAYOUTS`` overrides)."""
    env = os.environ.get("WARROOM_LAYOUTS")
    return Path(env) if env else bundle_root() / "layouts"


def config_dir() -> Path:
    """The user's configuration folder (``~/.config/warroom`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    """The configuration file read when neither ``--config`` nor ``WARROOM_CONFIG`` names one."""
    return config_dir() / CONFIG_FILE_NAME


def rules_dir() -> Path:
    """Where the user keeps their own alert rule files (relative ``rules:`` paths resolve here)."""
    return config_dir() / "rules"


def plans_dir() -> Path:
    """Where the user keeps their own contingency plan files."""
    return config_dir() / "plans"


def data_dir() -> Path:
    """Recordings and other user data (``~/.local/share/warroom`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def logs_dir() -> Path:
    """Log files (``~/.local/state/warroom/log`` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def set_recordings_dir(path: Path | None) -> None:
    """Send new recordings to ``path`` (the configuration's ``recordings_dir``); None: the default."""
    global _recordings_override
    _recordings_override = Path(path).expanduser() if path is not None else None


def recordings_dir() -> Path:
    """Where recorded histories (DuckDB files) go by default."""
    return _recordings_override if _recordings_override is not None else data_dir() / "recordings"


def new_recording_path(prefix: str = "recording", now: datetime | None = None) -> Path:
    """A fresh, timestamped file name in ``recordings_dir()``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return recordings_dir() / f"{prefix}-{stamp}.duckdb"
