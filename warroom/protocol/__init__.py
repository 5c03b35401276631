"""Stream protocol v1: typed messages and a sans-I/O codec (bytes in, messages out).

See docs/protocol.md for the wire format. Nothing here owns a socket.
"""

from warroom.protocol.codec import Decoder, DecodeResult, encode
from warroom.protocol.errors import ErrorCode, ErrorStats, ProtocolError
from warroom.protocol.messages import (
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    Command,
    CommandResult,
    Events,
    Heartbeat,
    Hello,
    Message,
    MetricBatch,
    PlanCatalogue,
    ServerError,
    Subscribe,
    TopologySnapshot,
)

__all__ = [
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "Command",
    "CommandResult",
    "DecodeResult",
    "Decoder",
    "ErrorCode",
    "ErrorStats",
    "Events",
    "Heartbeat",
    "Hello",
    "Message",
    "MetricBatch",
    "PlanCatalogue",
    "ProtocolError",
    "ServerError",
    "Subscribe",
    "TopologySnapshot",
    "encode",
]
