"""What the simulator's series are: the standard series of the protocol, sent with its topology.

Every world the simulator plays sends these (protocol 1.6 topology ``series``) after the world
file's own ``series:`` declarations, so a world may re-describe a series or give it an owner.
The descriptions live in ``warroom.core.catalogue.standard``: a gateway sends the same series.
"""

from __future__ import annotations

from warroom.core.catalogue.standard import STANDARD_SERIES

#: The simulator's series (see ``warroom.sim.metrics``): the protocol's standard ones.
SIM_SERIES = STANDARD_SERIES
