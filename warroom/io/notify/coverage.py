"""Which channels page for each severity, and the warning when a severity has only one.

One channel is a single point of failure: a robot whose token was rotated, a mail relay that
is down, and nobody hears about a P0. For every severity that some channel sends, this counts
the channels that would carry a *new* alert or incident of it: the severity passes the
channel's ``min_severity`` and, if the channel lists ``states``, one of them is a state that
starts something (``firing`` for alerts, ``opened`` for incidents). A channel that only sends
``resolved`` does not page anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from warroom.io.notify.channels import Channel
from warroom.io.notify.model import SEVERITIES, severity_rank

PAGING_STATES = frozenset({"firing", "opened"})


def channels_by_severity(channels: Iterable[Channel]) -> Mapping[str, tuple[str, ...]]:
    """For each severity (most severe first), the names of the channels that page for it."""
    chs = list(channels)
    # An escalation channel carries only missed response targets: it pages nobody for a new alert.
    pages = [ch for ch in chs if (not ch.states or ch.states & PAGING_STATES) and not ch.escalation]
    return {
        s: tuple(ch.name for ch in pages if severity_rank(s) <= severity_rank(ch.min_severity)) for s in SEVERITIES
    }


def coverage_warnings(channels: Iterable[Channel]) -> tuple[str, ...]:
    """One line per severity that exactly one channel pages for (nothing when there are no channels).

    Severities that no channel sends are deliberate (``min_severity``) and not warned about,
    except P0 when channels exist but none of them pages for it.
    """
    routes = channels_by_severity(channels)
    if not any(routes.values()):
        return ()
    out = []
    for severity, names in routes.items():
        if severity == SEVERITIES[-1]:  # info: not a problem, nobody is paged for it
            continue
        if len(names) == 1:
            out.append(
                f"severity {severity} is sent to one channel only ({names[0]!r}): "
                "if it fails, nobody hears; add a second channel"
            )
        elif not names and severity == SEVERITIES[0]:
            out.append(f"severity {severity} is sent to no channel that pages for new alerts")
    return tuple(out)


__all__ = ["PAGING_STATES", "channels_by_severity", "coverage_warnings"]
