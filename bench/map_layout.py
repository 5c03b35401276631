#!/usr/bin/env python3
"""The call-chain map's whole layout for a 1,000-service platform, against networkx, same run.

Issue 13 asks for a map that stays legible at 1,000 services "with layout <= 100 ms". What the
map runs when a topology arrives is ``warroom.ui.panels.map.layout.lay_out``: grouping
(``warroom.core.graph.grouping.collapse``), the stable slots, folding tall columns, the edge routes
and the health thresholds. We time, median of ``--repeat``, on the platform of
bench/topology_churn.py (1,000 services, 3,000 calls, twelve domain groups):

  * grouped: the layout the wall draws (groups collapsed), from a fresh engine;
  * flat: the same topology with every group open (1,000 boxes), from a fresh engine;
  * one group opened: the click on a group, from the engine that drew the grouped map;
  * raw baseline: ``networkx.multipartite_layout`` by call depth on the same graph (layered
    positions only: no crossing reduction, no stability, no routes).

    python bench/map_layout.py [--services 1000] [--repeat 7]

The last line is ``map_layout: services=… groups=… layout_ms=… baseline_ms=… ratio=…``
(layout_ms: the flat 1,000-box layout, the worst case; ratio = layout_ms / baseline_ms).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

from bench.topology_churn import ChurnWorld  # noqa: E402
from warroom.core.graph.grouping import group_names  # noqa: E402
from warroom.core.graph.layout import StableLayout  # noqa: E402
from warroom.ui.panels.map.layout import lay_out  # noqa: E402


def median_ms(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    world = ChurnWorld(services=args.services, edges=args.services * 3)
    topology = world.topology()
    groups = group_names(topology)
    topology.depths()  # the topology's own cache, warmed as the decoder's worker does for the map

    grouped = median_ms(args.repeat, lambda: lay_out(StableLayout(), topology))
    flat = median_ms(args.repeat, lambda: lay_out(StableLayout(), topology, frozenset(groups)))
    drew = StableLayout()
    shown = lay_out(drew, topology)
    one = median_ms(args.repeat, lambda: lay_out(copy.deepcopy(drew), topology, frozenset(groups[:1])))

    g = topology.graph.copy()
    nx.set_node_attributes(g, topology.depths(), "layer")
    baseline = median_ms(args.repeat, lambda: nx.multipartite_layout(g, subset_key="layer"))

    print(f"map layout: {len(topology)} services, {topology.graph.number_of_edges()} calls, {len(groups)} groups, "
          f"median of {args.repeat}")
    print(f"  grouped (wall)          {grouped:8.1f} ms   {len(shown.positions)} boxes, {len(shown.routes)} edges")
    print(f"  one group opened        {one:8.1f} ms")
    print(f"  flat (every group open) {flat:8.1f} ms   {len(topology)} boxes")
    print(f"  nx.multipartite (raw)   {baseline:8.1f} ms")
    print(f"map_layout: services={len(topology)} groups={len(groups)} layout_ms={flat:.1f} "
          f"grouped_ms={grouped:.1f} baseline_ms={baseline:.1f} ratio={flat / baseline:.2f}")


if __name__ == "__main__":
    main()
