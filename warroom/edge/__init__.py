"""``warroom edge``: websocket fan-out of a site's feed from NATS JetStream (docs/scale.md)."""

from warroom.edge.server import DEFAULT_EDGE_RESUME_S, Edge, EdgeServer, discover_site
from warroom.edge.source import EdgeSource

__all__ = ["DEFAULT_EDGE_RESUME_S", "Edge", "EdgeServer", "EdgeSource", "discover_site"]
