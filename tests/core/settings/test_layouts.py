"""Layout files: the shipped ones are valid; a bad one gives an error that names the problem."""

from __future__ import annotations

import json

import pytest

from warroom.core.settings.layouts import LayoutError, available, load_layout, parse_layout


def test_the_three_shipped_layouts_load():
    assert {"command-centre", "commander", "engineer"} <= set(available())
    cc = load_layout("command-centre")
    assert cc.central.panel == "topology_map"
    areas = {d.panel: d.area for d in cc.docks}
    assert areas["kpi_tiles"] == "top" and areas["scenarios"] == "left" and areas["events"] == "right"
    assert cc.theme == "dark" and cc.font_pt >= 14  # a wall is read from afar


def test_every_shipped_layout_uses_known_panel_types():
    from warroom.ui.panels.registry import panel_types

    for name in available():
        for spec in load_layout(name).panels:
            assert spec.panel in panel_types(), (name, spec.panel)


@pytest.mark.parametrize(
    "data, words",
    [
        ({"format": 2, "name": "x", "central": {"panel": "chart"}}, "format"),
        ({"format": 1, "name": "x"}, "central"),
        ({"format": 1, "name": "x", "central": {"panel": "chart"}, "docks": [{"panel": "chart", "area": "middle"}]}, "area"),
        ({"format": 1, "name": "x", "central": {"panel": "chart"}, "docks": [{"panel": "chart", "area": "top"}]}, "twice"),
        ({"format": 1, "name": "x", "central": {"panel": "chart"}, "sizes": {"top": 3}}, "sizes"),
        ({"format": 1, "name": "x", "central": {"panel": "chart"},  # a tab needs an earlier dock...
          "docks": [{"panel": "events", "area": "left", "tab_with": "alerts"}, {"panel": "alerts", "area": "left"}]},
         "tab_with"),
        ({"format": 1, "name": "x", "central": {"panel": "chart"},  # ...of the same area
          "docks": [{"panel": "alerts", "area": "right"}, {"panel": "events", "area": "left", "tab_with": "alerts"}]},
         "tab_with"),
        ([], "object"),
    ],
)
def test_bad_layouts_are_refused_with_the_reason(data, words):
    with pytest.raises((ValueError, KeyError)) as err:
        parse_layout(data)
    assert words in str(err.value)


def test_load_names_the_file_and_lists_the_known_layouts(tmp_path):
    with pytest.raises(LayoutError, match="command-centre"):
        load_layout("no-such-layout")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "name": "bad", "central": {}}))
    with pytest.raises(LayoutError, match="bad.json"):
        load_layout(str(bad))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(LayoutError, match="broken.json"):
        load_layout(str(broken))


def test_full_height_sides_are_checked():
    from warroom.core.settings.layouts import parse_layout

    base = {"format": 1, "name": "x", "central": {"panel": "topology_map"}, "docks": []}
    assert parse_layout({**base, "full_height": ["left", "right"]}).full_height == ("left", "right")
    with pytest.raises(ValueError, match="full_height"):
        parse_layout({**base, "full_height": ["top"]})


def test_the_engineer_layout_keeps_incidents_and_events_in_one_place_as_tabs():
    """A laptop's side column cannot hold a readable map above an incident timeline (issue 13)."""
    layout = load_layout("engineer")
    tabs = {d.id: d.tab_with for d in layout.docks if d.tab_with}
    assert tabs == {"events": "incidents"}
    assert [d.id for d in layout.docks if d.area == "left"] == ["topology_map"]
