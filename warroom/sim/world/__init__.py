"""World files: the simulator playing any platform described in YAML (docs/worlds.md).

    from warroom.sim.world import World, WorldError, builtin_worlds, load_world
    world = load_world("webshop")          # a shipped world, or a path to a world file
    sim = Simulator(start_ms=ts, seed=7, world=world)
    for spec in world.faults:              # its scheduled drill, if you want it
        sim.inject_spec(spec)

A broken file raises ``WorldError`` whose text is ``FILE:LINE: problem``.
"""

from warroom.sim.world.loader import (
    World,
    WorldError,
    builtin_worlds,
    load_world,
    load_world_text,
    worlds_dir,
)

__all__ = ["World", "WorldError", "builtin_worlds", "load_world", "load_world_text", "worlds_dir"]
