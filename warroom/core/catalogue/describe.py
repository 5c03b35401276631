"""What a series is: its unit, description and owner, from declared metadata and the call graph.

A world file or a site file may declare series metadata (``series:``), keyed by a metric name or
by a selector with labels (``service_latency_seconds{quantile="0.99"}``)::

    series:
      service_error_ratio:
        unit: ratio
        description: Share of a service's requests that failed
        descriptions: {zh_CN: 服务请求失败的比例}
        owner: sre-platform

The most specific declaration that matches a series wins (the one with the most labels, then
the first declared). What is not declared is inferred: the unit from the metric name
(``warroom.core.catalogue.units``), the owner from the call graph: the team of the north-star
KPI tree (``kpi_tree``) that lists the service the series' ``service`` label names, else that
service's ``group`` (team or namespace); none when neither says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from warroom.core.catalogue.units import unit_of
from warroom.core.graph.topology import Topology
from warroom.core.language.lang import clean_titles, pick
from warroom.core.language.text import normalise
from warroom.core.model import SeriesKey

#: Keys a series declaration may have.
INFO_KEYS = ("unit", "description", "descriptions", "owner")
#: Labels naming the service a series belongs to, in the order they are tried.
SERVICE_LABELS = ("service", "callee", "server", "destination_service_name", "job")
#: Longest description and owner text kept (declarations come from files and feeds), and unit.
MAX_TEXT = 500
MAX_UNIT = 32


@dataclass(frozen=True)
class SeriesInfo:
    """Declared metadata for the series a selector matches (a metric name, maybe with labels)."""

    metric: str
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    unit: str = ""
    description: str = ""
    #: Descriptions per language (``{"zh_CN": "..."}``); ``description`` is the default.
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    owner: str = ""

    def matches(self, key: SeriesKey) -> bool:
        """True if the key has this metric name and every label of the selector."""
        return key.matches(self.metric, **self.labels)

    @property
    def selector(self) -> str:
        """The selector as written in a file (canonical series text)."""
        return SeriesKey(self.metric, self.labels).text

    def to_dict(self) -> dict[str, Any]:
        """The declaration as plain data (for a file or a feed); empty fields left out."""
        d: dict[str, Any] = {"unit": self.unit, "description": self.description,
                             "descriptions": dict(self.descriptions), "owner": self.owner}
        return {k: v for k, v in d.items() if v}


@dataclass(frozen=True)
class Described:
    """A series' resolved unit, description (default and per language) and owner."""

    unit: str = ""
    description: str = ""
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    owner: str = ""

    @property
    def label(self) -> str:
        """The description in the console's language when one was declared."""
        return pick(self.description, self.descriptions)


def _text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    """Text on one line, controls replaced and bidi controls removed (it reaches terminals and
    CSV files), cut to ``limit`` characters."""
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"{what} must be text")
    return normalise(" ".join(str(value).split()), limit)


def infos_from_mapping(value: Any) -> tuple[SeriesInfo, ...]:
    """Series declarations from a ``series:`` mapping (selector → fields); ``ValueError`` names
    the selector and the problem. ``None`` or an empty mapping gives none."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ValueError("'series' must be a mapping of metric names (or selectors) to their unit, description, owner")
    out: list[SeriesInfo] = []
    for selector, fields in value.items():
        if not isinstance(selector, str):
            raise ValueError(f"series {selector!r}: the key must be a metric name")
        try:
            key = SeriesKey.parse(selector)
        except ValueError as exc:
            raise ValueError(f"series {selector!r}: {exc}") from None
        if fields is None:
            fields = {}
        if not isinstance(fields, Mapping):
            raise ValueError(f"series {selector!r}: give unit, description, descriptions or owner")
        unknown = sorted(str(k) for k in fields if k not in INFO_KEYS)
        if unknown:
            raise ValueError(f"series {selector!r}: unknown key {unknown[0]!r} (known: {', '.join(INFO_KEYS)})")
        descriptions = fields.get("descriptions")
        if descriptions is not None and not isinstance(descriptions, Mapping):
            raise ValueError(f"series {selector!r}: 'descriptions' must map languages to text")
        out.append(SeriesInfo(
            metric=key.name, labels=dict(key.labels),
            unit=_text(fields.get("unit"), f"series {selector!r} unit", MAX_UNIT),
            description=_text(fields.get("description"), f"series {selector!r} description"),
            descriptions={k: _text(v, f"series {selector!r} description") for k, v in clean_titles(descriptions).items()},
            owner=_text(fields.get("owner"), f"series {selector!r} owner"),
        ))
    return tuple(out)


#: Most series declarations taken from one feed's topology (bounds memory against a bad feed).
MAX_WIRE_INFOS = 10_000


def infos_from_wire(value: Any) -> tuple[tuple[SeriesInfo, ...], list[str]]:
    """Series declarations from a feed's topology ``series`` list (protocol 1.6): each item
    ``{"series": selector, "unit", "description", "descriptions", "owner"}``. A bad item is
    dropped alone; returns the good ones and one problem text per dropped item."""
    if not isinstance(value, list):
        return (), ["'series' must be a list"]
    out: list[SeriesInfo] = []
    problems: list[str] = []
    if len(value) > MAX_WIRE_INFOS:
        problems.append(f"series: {len(value) - MAX_WIRE_INFOS} declarations past the first {MAX_WIRE_INFOS} ignored")
    for item in value[:MAX_WIRE_INFOS]:
        if not isinstance(item, Mapping) or not isinstance(item.get("series"), str):
            problems.append("series: each item needs a 'series' selector")
            continue
        fields = {k: v for k, v in item.items() if k != "series"}
        try:
            out.extend(infos_from_mapping({item["series"]: fields}))
        except ValueError as exc:
            problems.append(str(exc))
    return tuple(out), problems


def infos_to_wire(infos: Iterable[SeriesInfo]) -> list[dict[str, Any]]:
    """Declarations in the feed's form (the inverse of ``infos_from_wire``)."""
    return [{"series": i.selector, **i.to_dict()} for i in infos]


def infos_to_mapping(infos: Iterable[SeriesInfo]) -> dict[str, dict[str, Any]]:
    """The inverse of ``infos_from_mapping`` (selector → fields)."""
    return {i.selector: i.to_dict() for i in infos}


def service_of(key: SeriesKey) -> str:
    """The service a series is about, by its labels (``service``, an edge's ``callee``...), or ``""``."""
    for label in SERVICE_LABELS:
        value = key.labels.get(label)
        if value:
            return value
    return ""


def describe(key: SeriesKey, infos: Iterable[SeriesInfo] = (), topology: Topology | None = None) -> Described:
    """Unit, description and owner of ``key``: declared (most specific match first), else inferred.

    Each field is taken from the most specific declaration that gives it, so a selector with
    labels may declare only a description and still inherit the metric's owner.
    """
    matching = sorted((i for i in infos if i.matches(key)), key=lambda i: -len(i.labels))
    unit = next((i.unit for i in matching if i.unit), "") or unit_of(key.name)
    described = next((i for i in matching if i.description or i.descriptions), None)
    owner = next((i.owner for i in matching if i.owner), "")
    if not owner and topology is not None:
        service = service_of(key)
        tree = getattr(topology, "kpi_tree", None)  # the north-star tree names teams and their services
        team = tree.team_of(service) if service and tree is not None and hasattr(tree, "team_of") else None
        if team:
            owner = team
        elif service and service in topology:
            owner = topology.service(service).group
    return Described(unit=unit,
                     description=described.description if described else "",
                     descriptions=dict(described.descriptions) if described else {},
                     owner=owner)
