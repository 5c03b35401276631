"""Where a trace id opens: the configuration's ``trace_url`` template.

The template is a web address with ``{trace_id}`` where the id goes, for example

* Jaeger: ``https://jaeger.example.com/trace/{trace_id}``
* Grafana Tempo (Explore): ``https://grafana.example.com/explore?left={"datasource":"tempo",
  "queries":[{"query":"{trace_id}","queryType":"traceql"}]}`` (the braces of the JSON are kept;
  only ``{trace_id}`` is replaced)
* Tempo's own API: ``https://tempo.example.com/api/traces/{trace_id}``

Set by ``trace_url`` in the configuration file (``set_template``) or ``$WARROOM_TRACE_URL``.
Only ``http``/``https`` templates naming ``{trace_id}`` are used, and only an id matching
``warroom.protocol.context.TRACE_ID``'s characters is put in (it is URL-quoted as well), so a
hostile log line can never make the console open anything but the configured viewer.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import quote

PLACEHOLDER = "{trace_id}"
ENV_TRACE_URL = "WARROOM_TRACE_URL"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{7,63}")
_template: str | None = None
log = logging.getLogger(__name__)


def template_problem(text: str) -> str | None:
    """Why ``text`` cannot be a trace link template, or None when it can."""
    if not text.lower().startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if PLACEHOLDER not in text:
        return f"must contain {PLACEHOLDER}"
    if any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in text) or len(text) > 2000:
        return "must be one line without spaces, at most 2000 characters"
    return None


def set_template(text: str | None) -> None:
    """Use ``text`` from now on (None or "" : no links). A bad template is ignored (no links)."""
    global _template
    problem = template_problem(text) if isinstance(text, str) and text else None
    if problem:
        log.warning("trace_url %s: %s; trace ids get no link", text[:200].encode("unicode_escape").decode(), problem)
    _template = text if isinstance(text, str) and text and problem is None else None


def template() -> str | None:
    """The template in force: the one set, else ``$WARROOM_TRACE_URL`` when usable, else None."""
    if _template is not None:
        return _template
    env = os.environ.get(ENV_TRACE_URL, "")
    return env if env and template_problem(env) is None else None


def trace_url(trace_id: str) -> str | None:
    """The address that opens ``trace_id`` in the trace viewer, or None (no template, bad id)."""
    tpl = template()
    if tpl is None or not _ID.fullmatch(trace_id or ""):
        return None
    return tpl.replace(PLACEHOLDER, quote(trace_id, safe=""))
