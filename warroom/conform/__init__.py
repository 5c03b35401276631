"""A conformance kit for feeds: does a feed speak docs/protocol.md?

``warroom conform --url ws://…`` connects to any feed, observes it for a bounded window and
checks it against the protocol — hello and negotiation, subscribe, ``seq``, series definitions,
topology validity, per-series time, heartbeats, the plan catalogue, text — and, only with
``--allow-commands``, a plan execute/rollback round trip with a repeated idempotency key; if the
feed offers resumption, it also disconnects and resumes. It prints a table naming the section of
every failure (docs/conformance.md). An application over the transport, like ``warroom.app``: it
uses ``warroom.io.auth`` for tokens and TLS and the reference ``Decoder`` for validation.

Modules: ``observe`` (what was seen, sans-I/O), ``results`` (the check registry), ``checks`` and
``checks_active`` (the checks), ``conn`` and ``trials`` (the connections and the acts), ``run``
(one run) and ``table`` (the printed report).
"""

from warroom.conform.conn import ConformError
from warroom.conform.results import CheckResult, Status, evaluate, exit_status
from warroom.conform.run import Options, observe, run
from warroom.conform.table import render

__all__ = ["CheckResult", "ConformError", "Options", "Status", "evaluate", "exit_status", "observe", "render", "run"]
