"""Panel types by the names layouts use. Imported lazily: a layout pays only for its panels."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from warroom.ui.panels.base import Panel

# Panel titles live in class attributes, where lupdate cannot see them: list them here.
_TITLES = (
    QT_TRANSLATE_NOOP("Panel", "North-star KPIs"),
    QT_TRANSLATE_NOOP("Panel", "Business scenarios"),
    QT_TRANSLATE_NOOP("Panel", "Events"),
    QT_TRANSLATE_NOOP("Panel", "Feed health"),
    QT_TRANSLATE_NOOP("Panel", "Live charts"),
    QT_TRANSLATE_NOOP("Panel", "Call-chain map"),
    QT_TRANSLATE_NOOP("Panel", "Alerts"),
    QT_TRANSLATE_NOOP("Panel", "Incidents"),
    QT_TRANSLATE_NOOP("Panel", "Contingency plans"),
    QT_TRANSLATE_NOOP("Panel", "Rules review"),
    QT_TRANSLATE_NOOP("Panel", "Business funnels"),
    QT_TRANSLATE_NOOP("Panel", "Live inspector"),
    QT_TRANSLATE_NOOP("Panel", "North-star KPI tree"),
    QT_TRANSLATE_NOOP("Panel", "Series catalogue"),
)

# In a replay the docks say so: "Live charts" showing last Tuesday would be a lie.
_REPLAY_TITLES = {
    "North-star KPIs": QT_TRANSLATE_NOOP("Panel", "North-star KPIs (replay)"),
    "Business scenarios": QT_TRANSLATE_NOOP("Panel", "Business scenarios (replay)"),
    "Events": QT_TRANSLATE_NOOP("Panel", "Events (replay)"),
    "Feed health": QT_TRANSLATE_NOOP("Panel", "Feed health (replay)"),
    "Live charts": QT_TRANSLATE_NOOP("Panel", "Charts (replay)"),
    "Call-chain map": QT_TRANSLATE_NOOP("Panel", "Call-chain map (replay)"),
    "Alerts": QT_TRANSLATE_NOOP("Panel", "Alerts (replay)"),
    "Incidents": QT_TRANSLATE_NOOP("Panel", "Incidents (replay)"),
    "Contingency plans": QT_TRANSLATE_NOOP("Panel", "Contingency plans (replay)"),
    "Business funnels": QT_TRANSLATE_NOOP("Panel", "Business funnels (replay)"),
    "North-star KPI tree": QT_TRANSLATE_NOOP("Panel", "North-star KPI tree (replay)"),
}


def replay_title(panel: Panel) -> str:
    """The panel's title in a replay, translated: never "Live …" (a panel without its own
    replay title gets "(replay)" after its title)."""
    own = _REPLAY_TITLES.get(panel.TITLE)
    if own is not None:
        return QCoreApplication.translate("Panel", own)
    return QCoreApplication.translate("Panel", "%1 (replay)").replace("%1", panel.title())


_PANELS = {
    "kpi_tiles": ("warroom.ui.panels.kpi.panel", "KpiTilesPanel"),
    "scenarios": ("warroom.ui.panels.scenarios.panel", "ScenarioBoardPanel"),
    "events": ("warroom.ui.panels.events.panel", "EventFeedPanel"),
    "feed_health": ("warroom.ui.panels.health.panel", "FeedHealthPanel"),
    "chart": ("warroom.ui.panels.chart.panel", "ChartPanel"),
    "topology_map": ("warroom.ui.panels.map.panel", "TopologyMapPanel"),
    "alerts": ("warroom.ui.panels.alerts.panel", "AlertsPanel"),
    "incidents": ("warroom.ui.panels.incidents.panel", "IncidentsPanel"),
    "plans": ("warroom.ui.panels.plans.panel", "PlansPanel"),
    "rules_review": ("warroom.ui.panels.rules_review.panel", "RulesReviewPanel"),
    "funnel": ("warroom.ui.panels.funnel.panel", "FunnelPanel"),
    "inspector": ("warroom.ui.panels.inspector.panel", "InspectorPanel"),
    "kpi_tree": ("warroom.ui.panels.kpi_tree.panel", "KpiTreePanel"),
    "catalogue": ("warroom.ui.panels.catalogue.panel", "CataloguePanel"),
}


def panel_types() -> list[str]:
    """Every panel type a layout may name."""
    return sorted(_PANELS)


def panel_class(name: str) -> type[Panel]:
    """The class of a panel type; ``KeyError`` names the known types."""
    try:
        module, cls = _PANELS[name]
    except KeyError:
        raise KeyError(f"unknown panel type {name!r}; known: {panel_types()}") from None
    return getattr(importlib.import_module(module), cls)
