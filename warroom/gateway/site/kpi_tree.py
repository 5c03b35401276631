"""The site file's ``kpi_tree:`` section: the north-star goal, business lines, teams and services.

    kpi_tree:
      goal: {title: Service restored within a minute, titles: {zh_CN: 一分钟内恢复服务}, kpi: mttr, target: 60}
      lines:
        payments:
          title: Payments
          teams:
            trade-team: {title: Trade, services: [trade, trade-db]}
            bank-channels: {title: Bank channels, services: [bank-icbc, bank-ccb]}

The same form as a world file's (docs/worlds.md, ``warroom.core.northstar.tree.tree_from_config``).
The gateway sends the tree with its topology (protocol 1.6 ``kpi_tree``), so every console's
KPI-tree panel and every history it records know whose services cost the incident minutes.
Service names are the ones the gateway's topology uses; they are not checked against it here
(the topology comes from Prometheus at run time), and an incident rooted in a service no team
lists shows under *Unassigned*.
"""

from __future__ import annotations

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode

from warroom.core.northstar.tree import KpiTree, TreeError, tree_from_config
from warroom.gateway.site.reading import _line, _Map
from warroom.gateway.site.values import _Values


def read_kpi_tree(reader: _Values, top: _Map) -> KpiTree | None:
    """The tree of ``top``'s ``kpi_tree:``, or None (absent, or reported on ``reader`` by line)."""
    if not top.has("kpi_tree"):
        return None
    node = top.value("kpi_tree")
    assert node is not None
    try:
        body = SafeConstructor().construct_object(node, deep=True)  # aliases were refused already
    except ConstructorError as exc:
        reader.err(top.line("kpi_tree"), "kpi_tree", str(exc.problem or exc))
        return None
    try:
        return tree_from_config(body)
    except TreeError as exc:
        where = ".".join(("kpi_tree",) + exc.path)
        reader.err(_node_line(node, exc.path, top.line("kpi_tree")), where, exc.problem)
        return None


def _node_line(node: Node, path: tuple[str, ...], line: int) -> int:
    """The line of the deepest part of ``path`` found under ``node``."""
    for key in path:
        if isinstance(node, MappingNode):
            hit = next(((k, v) for k, v in node.value if str(getattr(k, "value", "")) == key), None)
            if hit is None:
                break
            line, node = _line(hit[0]), hit[1]
        elif isinstance(node, SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = _line(node)
        else:
            break
    return line
