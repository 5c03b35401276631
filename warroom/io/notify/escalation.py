"""Escalations through a second channel: who gets an incident that missed its response target.

The watch writes an ``escalation`` event when an unacknowledged incident misses its target
(``warroom.core.incident.escalation``); ``notification_from_event`` makes it a notification
keyed ``incident:<id>`` with the state ``overdue``. Routing:

- an ``overdue`` notification goes to the channels marked ``escalation: true`` (or named in
  ``escalate_to:``) that pass its severity; when no channel is so marked, it goes to the
  ordinary channels like any other page, so a missed target is never silent;
- an escalation channel gets nothing else: it is the duty manager's phone, not a second
  copy of every alert.

Dedup, rate limits, digests and retries stay the channel's own, as for every notification.
"""

from __future__ import annotations

from collections.abc import Iterable

from warroom.io.notify.channels import Channel
from warroom.io.notify.model import Notification, severity_rank

#: The notification state of an escalation ("[P1] OVERDUE: …").
ESCALATION_STATE = "overdue"


def escalation_channels(channels: Iterable[Channel]) -> tuple[str, ...]:
    """The names of the channels marked for escalations."""
    return tuple(ch.name for ch in channels if ch.escalation)


def routes_to(channel: Channel, n: Notification, *, escalation_channels_exist: bool) -> bool:
    """Whether ``n`` goes to ``channel`` (see the module docstring)."""
    if n.state == ESCALATION_STATE and escalation_channels_exist:
        return channel.escalation and n.rank <= severity_rank(channel.min_severity)
    return not channel.escalation and channel.accepts(n)


__all__ = ["ESCALATION_STATE", "escalation_channels", "routes_to"]
