"""Where Warroom keeps its files, per the platform's conventions (platformdirs).

Only computes paths; callers create directories when they write.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import platformdirs

APP_NAME = "warroom"


def data_dir() -> Path:
    """Recordings and other user data."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def recordings_dir() -> Path:
    """Where recorded histories (DuckDB files) go by default."""
    return data_dir() / "recordings"


def new_recording_path(prefix: str = "recording", now: datetime | None = None) -> Path:
    """A fresh, timestamped file name in ``recordings_dir()``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return recordings_dir() / f"{prefix}-{stamp}.duckdb"
