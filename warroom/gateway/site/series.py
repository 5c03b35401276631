"""The site file's ``series:`` section: what the platform's series are (unit, description, owner).

    series:
      http_server_request_duration_seconds:
        unit: s
        description: Server-side request latency (OpenTelemetry semantic conventions)
        descriptions: {zh_CN: 服务端请求延迟}
        owner: platform-team
      'payment_success_ratio{channel="qr"}':
        owner: qr-payments

The gateway sends these with its topology (protocol 1.6 ``series``), so every console's series
catalogue, and every history it records, knows them (warroom.core.catalogue.describe).
"""

from __future__ import annotations

from yaml.constructor import ConstructorError, SafeConstructor

from warroom.core.catalogue.describe import SeriesInfo, infos_from_mapping
from warroom.gateway.site.reading import _join, _Map
from warroom.gateway.site.values import _Values

#: The most series declarations a site file may hold (each is a few lines of YAML).
MAX_SERIES = 10_000


def read_series(reader: _Values, top: _Map) -> tuple[SeriesInfo, ...]:
    """The declarations of ``top``'s ``series:`` mapping; problems reported on ``reader`` by line."""
    if not top.has("series"):
        return ()
    m = reader.mapping(top.value("series"), "series", None, head=top.line("series"))
    if m is None:
        return ()
    if len(m.items) > MAX_SERIES:
        reader.err(top.line("series"), "series", f"at most {MAX_SERIES:,} declarations")
        return ()
    out: list[SeriesInfo] = []
    for selector, (_, node) in m.items.items():
        try:
            fields = SafeConstructor().construct_object(node, deep=True)  # aliases were refused already
        except ConstructorError as exc:
            reader.err(m.line(selector), _join("series", selector), str(exc.problem or exc))
            continue
        try:
            out.extend(infos_from_mapping({selector: fields}))
        except ValueError as exc:
            reader.err(m.line(selector), _join("series", selector), str(exc).removeprefix(f"series {selector!r}: "))
    return tuple(out)
