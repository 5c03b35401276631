"""Where a feed's messages live on JetStream: subjects per site and kind, one stream per site.

Subject layout (one site = one feed: a simulator, a gateway's site)::

    warroom.<site>.metrics     metric batches (protocol ``metrics`` frames, JSON, split to fit max_payload)
    warroom.<site>.events      event frames (``events``)
    warroom.<site>.topology    the current topology (``topology``): a consumer wants only the last one
    warroom.<site>.catalogue   the plan catalogue (``plan_catalogue``): likewise
    warroom.<site>.incidents   a feed that computes incidents (protocol 1.4): the events that rebuild
                               its current alerts, incidents and silences (``events``): likewise
    warroom.<site>.commands    consoles' commands, from the edges to the source (``command``)
    warroom.<site>.results     the source's answers (``command_result``), to every edge

Every message body is exactly one protocol v1 frame as ``warroom.protocol.encode`` writes it
(no ``seq``: a bus has no connection), so ``warroom.protocol.Decoder`` reads it back. The
``Nats-Msg-Id`` header de-duplicates a publish that was retried (``duplicate_window``).

``<site>`` is one subject token: the site name lower-cased, every character outside
``[a-z0-9_-]`` replaced by ``_`` (so ``"Pay East.1"`` is ``pay_east_1``), at most 64
characters. Two names that sanitise to the same token share a stream: name sites plainly.

Stream: one per site, ``WARROOM_<SITE>`` (the token upper-cased) on ``warroom.<site>.>``,
file storage, limits retention, ``max_age`` (default 1 h: what an edge can replay for a
console's ``since``), no per-subject limit (metrics and events keep every message for
``max_age``). Consumers of the state kinds (``STATE_KINDS``) use
``DeliverPolicy.LAST_PER_SUBJECT`` to get the current state; the others ``ALL`` or
``BY_START_TIME`` to replay (``deliver_policy``). NATS 2.9 has no per-message TTL.
"""

from __future__ import annotations

import re

from nats.js.api import DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from warroom.protocol import Events, Message, MetricBatch, PlanCatalogue, TopologySnapshot

#: The kinds of subject a site's feed has, in the order a reader wants them.
FEED_KINDS = ("topology", "catalogue", "incidents", "events", "metrics")
#: Kinds that carry commands to the feed's source and its answers back (``warroom.bus.commands``).
COMMAND_KINDS = ("commands", "results")
KINDS = FEED_KINDS + COMMAND_KINDS
#: Kinds where only the newest message matters (a new consumer reads the last per subject).
STATE_KINDS = ("topology", "catalogue", "incidents")

DEFAULT_MAX_AGE_S = 3600.0
#: How long JetStream remembers a ``Nats-Msg-Id`` to drop a retried publish (its default).
DEFAULT_DUPLICATE_WINDOW_S = 120.0
MAX_TOKEN = 64

_KIND_OF = {MetricBatch: "metrics", Events: "events", TopologySnapshot: "topology", PlanCatalogue: "catalogue"}
_BAD = re.compile(r"[^a-z0-9_-]")


#: Headers of a feed message on the bus (see the module docstring).
HEADER_NOW = "Warroom-Now"
HEADER_SPEED = "Warroom-Speed"
HEADER_FEED = "Warroom-Feed"
#: The feed's own hello capabilities beyond the server's (``incidents``), comma-separated.
HEADER_CAPS = "Warroom-Caps"


def site_token(site: str) -> str:
    """The site's name as one subject token (see the module docstring); never empty."""
    token = _BAD.sub("_", str(site).strip().lower())[:MAX_TOKEN]
    return token or "_"


def subject(site: str, kind: str) -> str:
    """``warroom.<site>.<kind>``; ``ValueError`` for a kind not in ``KINDS``."""
    if kind not in KINDS:
        raise ValueError(f"unknown bus subject kind {kind!r} (one of {', '.join(KINDS)})")
    return f"warroom.{site_token(site)}.{kind}"


def kind_of_subject(subj: str) -> str | None:
    """The kind of a ``warroom.<site>.<kind>`` subject, or None for any other subject."""
    parts = subj.split(".")
    return parts[2] if len(parts) == 3 and parts[0] == "warroom" and parts[2] in KINDS else None


def site_subjects(site: str) -> str:
    """The wildcard subject of every kind of a site: ``warroom.<site>.>``."""
    return f"warroom.{site_token(site)}.>"


def stream_name(site: str) -> str:
    """``WARROOM_<SITE>``: the JetStream stream that holds a site's subjects."""
    return "WARROOM_" + site_token(site).upper()


def kind_of(message: Message) -> str | None:
    """The subject kind a message goes to, or None for messages the bus does not carry
    (hello, heartbeat, command results: they belong to one connection)."""
    return _KIND_OF.get(type(message))


def stream_config(
    site: str,
    *,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    duplicate_window_s: float = DEFAULT_DUPLICATE_WINDOW_S,
    max_bytes: int | None = None,
) -> StreamConfig:
    """The stream of a site (see the module docstring). ``max_bytes`` (None: no limit) bounds
    the disk it takes; the oldest messages go first."""
    if max_age_s <= 0:
        raise ValueError(f"max_age_s must be positive, not {max_age_s:g}")
    # JetStream refuses a duplicate window longer than the stream's max age.
    window = min(duplicate_window_s, max_age_s)
    return StreamConfig(
        name=stream_name(site),
        subjects=[site_subjects(site)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=float(max_age_s),
        max_msgs_per_subject=-1,
        max_bytes=-1 if max_bytes is None else int(max_bytes),
        duplicate_window=float(window),
    )


def deliver_policy(kind: str) -> DeliverPolicy:
    """How a new consumer of ``kind`` starts: the last message for state kinds, all otherwise
    (an edge serving a console's ``since`` uses ``BY_START_TIME`` instead)."""
    return DeliverPolicy.LAST_PER_SUBJECT if kind in STATE_KINDS else DeliverPolicy.ALL
