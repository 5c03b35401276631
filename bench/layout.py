#!/usr/bin/env python3
"""Layered call-graph layout: StableLayout against networkx's own layouts, same graphs, same run.

Issue 2 asks for 500 nodes "in well under 100 ms" with stable positions. We time:

  * StableLayout.update() on a fresh 500-node layered graph (first layout, with crossing reduction);
  * StableLayout.update() after adding 5 services (the incremental path a live map takes);
  * networkx.multipartite_layout by depth (raw baseline: layered, no crossing reduction, not stable);
  * networkx.spring_layout (what DESIGN.md warns against), on a smaller graph if --quick.

    python bench/layout.py [--nodes 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import networkx as nx

from warroom.core.graph.layout import StableLayout
from warroom.core.model import CallEdge, Service
from warroom.core.graph.topology import Topology


def layered_topology(n: int, layers: int = 8, seed: int = 1) -> Topology:
    """A call graph shaped like a platform: entry services, fan-out, shared back ends."""
    rnd = random.Random(seed)
    names = [f"svc-{i:03d}" for i in range(n)]
    layer_of = {name: min(layers - 1, int(layers * i / n)) for i, name in enumerate(names)}
    by_layer: dict[int, list[str]] = {}
    for name, layer in layer_of.items():
        by_layer.setdefault(layer, []).append(name)
    topo = Topology(Service(nm) for nm in names)
    for layer in range(1, layers):
        for callee in by_layer[layer]:
            for caller in rnd.sample(by_layer[layer - 1], k=min(2, len(by_layer[layer - 1]))):
                topo.add_edge(CallEdge(caller, callee))
    return topo


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    topo = layered_topology(args.nodes)
    depths = topo.depths()
    g = topo.graph.copy()
    nx.set_node_attributes(g, depths, "layer")

    first = best_of(args.repeat, lambda: StableLayout().update(topo))
    layout = StableLayout()
    layout.update(topo)
    grown = layered_topology(args.nodes)
    for i in range(5):
        grown.add_service(Service(f"new-{i}"))
        grown.add_edge(CallEdge("svc-000", f"new-{i}"))

    def incremental():
        lay = StableLayout()
        lay._slots = dict(layout._slots)  # start from the remembered slots, as a live map does
        lay.update(grown)

    incr = best_of(args.repeat, incremental)
    multi = best_of(args.repeat, lambda: nx.multipartite_layout(g, subset_key="layer"))
    try:
        spring = best_of(1, lambda: nx.spring_layout(g, seed=1))
    except ImportError:  # networkx wants scipy for big graphs; we do not ship it
        spring = None
    print(f"layout bench: {args.nodes} services, {topo.graph.number_of_edges()} call edges, median of {args.repeat}")
    print(f"  StableLayout first layout     {first * 1000:8.1f} ms   {first / multi:6.2f} x multipartite")
    print(f"  StableLayout +5 services      {incr * 1000:8.1f} ms   {incr / multi:6.2f} x multipartite")
    print(f"  nx.multipartite_layout (raw)  {multi * 1000:8.1f} ms   1.00")
    if spring is None:
        print("  nx.spring_layout              n/a (needs scipy at this size)")
    else:
        print(f"  nx.spring_layout              {spring * 1000:8.1f} ms   {spring / multi:6.2f} x multipartite")


if __name__ == "__main__":
    main()
