"""The feed on a message bus: NATS JetStream (issue 16).

A transport edge beside ``warroom.io``: ``BusPublisher`` puts a feed's messages on JetStream
(subjects and streams in ``warroom.bus.subjects``), ``BusTee`` lets a feed that broadcasts on
a ``FeedServer`` publish to the bus as well without knowing about it.
"""

from warroom.bus.publisher import BusPublisher, BusStats, BusTee
from warroom.bus.subjects import KINDS, STATE_KINDS, kind_of, site_token, stream_config, stream_name, subject

__all__ = [
    "KINDS",
    "STATE_KINDS",
    "BusPublisher",
    "BusStats",
    "BusTee",
    "kind_of",
    "site_token",
    "stream_config",
    "stream_name",
    "subject",
]
