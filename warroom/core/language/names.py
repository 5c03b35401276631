"""Names people read instead of ids: ``display_name("service", "bank-icbc")`` → "ICBC gateway"
(or "工商银行网关" under zh_CN), from what the feed sent.

The feed's topology names services and scenarios (``title``, and per language ``titles``),
its plan catalogue names plans. Ids stay what programs and tooltips use; everything a person
reads on the wall goes through here. An id the feed never named is shown as it is.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from warroom.core.language.lang import language, pick
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology

KINDS = ("service", "scenario", "plan", "edge", "bank_channel", "step")
#: How an edge ``caller->callee`` is written for people.
ARROW = " → "
#: Between a scenario's name and its funnel step's (``warroom.core.funnel``).
STEP_MARK = " › "


class Names:
    """Display names of one feed's services, scenarios and plans (an immutable lookup)."""

    def __init__(self, topology: Topology | None = None, plans: Iterable[Plan] = ()) -> None:
        self._by_kind: dict[str, dict[str, tuple[str, dict]]] = {"service": {}, "scenario": {}, "plan": {}, "step": {}}
        if topology is not None:
            for s in topology.services:
                self._by_kind["service"][s.name] = (s.title or s.name, dict(s.titles))
            for sc in topology.scenarios:
                self._by_kind["scenario"][sc.id] = (sc.title or sc.id, dict(sc.titles))
                for st in sc.steps:  # a funnel step, ``scenario/step``: "QR-code payment › pay"
                    scn, step = sc.title or sc.id, st.title or st.id
                    self._by_kind["step"][f"{sc.id}/{st.id}"] = (f"{scn}{STEP_MARK}{step}", {
                        lang: pick(scn, sc.titles, lang) + STEP_MARK + pick(step, st.titles, lang)
                        for lang in set(sc.titles) | set(st.titles)})
        for p in plans:
            self._by_kind["plan"][p.id] = (p.title or p.id, dict(p.titles))

    def display(self, kind: str, ident: str, lang: str | None = None) -> str:
        """The name of ``ident`` (a service, scenario or plan id, an edge ``a->b``) in ``lang``."""
        if kind == "edge" or (kind not in self._by_kind and "->" in ident):
            a, _, b = ident.partition("->")
            return self.display("service", a, lang) + ARROW + self.display("service", b, lang)
        if kind == "bank_channel":
            kind = "service"
        known = self._by_kind.get(kind, {}).get(ident)
        if known is None:
            return ident
        return pick(known[0], known[1], lang)

    def subject(self, ident: str, kind: str = "", lang: str | None = None) -> str:
        """An event's or alert's subject: ``kind`` when known (``service``, ``scenario``,
        ``edge``), else a scenario id, a service name or an edge, whichever the feed named."""
        if kind in ("service", "scenario", "edge", "plan", "step"):
            return self.display(kind, ident, lang)
        if "->" in ident:
            return self.display("edge", ident, lang)
        for k in ("scenario", "service", "plan"):
            if ident in self._by_kind[k]:
                return self.display(k, ident, lang)
        return ident

    def knows(self, kind: str, ident: str) -> bool:
        """True if the feed named ``ident`` (of ``kind``)."""
        return ident in self._by_kind.get(kind, {})


_cache: tuple[object, object, Names] | None = None


def names_for(topology: Topology | None, plans: Iterable[Plan] | None = None) -> Names:
    """The ``Names`` of this topology and plan catalogue; the last one is cached by identity
    (panels ask on every refresh, and the feed's graph changes rarely)."""
    global _cache
    if _cache is not None and _cache[0] is topology and _cache[1] is plans:
        return _cache[2]
    names = Names(topology, plans or ())
    _cache = (topology, plans, names)
    return names


def display_name(kind: str, ident: str, lang: str | None = None, topology: Topology | None = None,
                 plans: Iterable[Plan] | None = None) -> str:
    """Shorthand for ``names_for(topology, plans).display(kind, ident, lang)``."""
    return names_for(topology, plans).display(kind, ident, lang or language())


def event_title(title: str, attrs: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """An event's title in the console's language: ``attrs["titles"][lang]`` when the feed (or
    the console's own alert and incident book) wrote one, else ``title``."""
    titles = attrs.get("titles") if attrs else None
    return pick(title, titles if isinstance(titles, Mapping) else None, lang)


def current_names() -> Names:
    """The names of the feed last asked about with ``names_for`` (panels ask on refresh), for
    code that formats text without a view at hand; no names (ids shown) before that."""
    return _cache[2] if _cache is not None else _EMPTY


_EMPTY = Names()


def forget() -> None:
    """Drop the cached names (``current_names`` shows ids again until a feed is asked about):
    for tests and tools that run several feeds in one process."""
    global _cache
    _cache = None
