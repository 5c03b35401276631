"""The smoke test's own picture check (packaging/pyinstaller/smoke.py): it must tell a blank
grab from a real one, whatever PNG filters Qt's writer picked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke():
    spec = importlib.util.spec_from_file_location("warroom_smoke", ROOT / "packaging" / "pyinstaller" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def save(qapp, tmp_path: Path, name: str, draw, alpha: bool) -> Path:
    from PySide6.QtGui import QColor, QImage, QPainter

    fmt = QImage.Format.Format_ARGB32 if alpha else QImage.Format.Format_RGB32
    image = QImage(320, 200, fmt)
    image.fill(QColor("#101820"))
    painter = QPainter(image)
    draw(painter)
    painter.end()
    path = tmp_path / name
    assert image.save(str(path), "PNG")
    return path


@pytest.mark.parametrize("alpha", [False, True])
def test_a_blank_picture_has_one_colour_and_no_foreground(qapp, tmp_path, smoke, alpha):
    png = save(qapp, tmp_path, "blank.png", lambda p: None, alpha)
    assert smoke.picture_stats(png) == (320, 200, 1, 0.0)


@pytest.mark.parametrize("alpha", [False, True])
def test_a_drawn_picture_decodes_to_the_pixels_qt_drew(qapp, tmp_path, smoke, alpha):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QLinearGradient

    def draw(p):
        g = QLinearGradient(0, 0, 320, 200)
        g.setColorAt(0, QColor("#ff0000"))
        g.setColorAt(1, QColor("#00ffcc"))
        p.fillRect(QRect(0, 0, 320, 100), g)
        p.drawText(10, 150, "Warroom 作战室")

    png = save(qapp, tmp_path, "drawn.png", draw, alpha)
    width, height, bpp, pixels = smoke.read_png(png)
    reference = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB888)
    for x, y in ((0, 0), (319, 0), (160, 50), (5, 99), (300, 199)):
        i = (y * width + x) * bpp
        c = reference.pixelColor(x, y)
        assert tuple(pixels[i:i + 3]) == (c.red(), c.green(), c.blue()), (x, y)
    _, _, colours, busy = smoke.picture_stats(png)
    assert colours > 100 and 0.5 < busy < 0.6


def test_the_smoke_test_refuses_a_missing_folder(tmp_path, smoke, capsys):
    assert smoke.main(["smoke.py", str(tmp_path / "nothing")]) == 2
    assert "build it with packaging/pyinstaller/build.sh" in capsys.readouterr().err
