"""Why a feed cannot be used: addresses, exceptions and the client's own status texts, classified.

The client tests run the real ``FeedClient`` against real failures, so the words the client
writes and the patterns that read them cannot drift apart unnoticed.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl

import pytest
from websockets.asyncio.server import serve

from warroom.io.auth import Credentials, Secret, TokenStore, generate_token
from warroom.io.client import Backoff, ConnectionState, FeedClient
from warroom.io.feed_problem import (
    FeedProblem,
    ProblemKind,
    check_url,
    classify_exception,
    classify_reason,
    target_of,
)
from warroom.io.probe import probe
from warroom.io.server import FeedServer


def closed_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- addresses ------------------------------------------------------------------------------
def test_an_address_without_scheme_is_bad_and_the_fix_is_suggested():
    p = check_url("127.0.0.1:18949")
    assert p is not None and p.kind is ProblemKind.BAD_URL
    assert p.suggestion == "ws://127.0.0.1:18949" and p.target == "127.0.0.1:18949"
    assert "ws://127.0.0.1:18949" in p.describe()


@pytest.mark.parametrize("url, suggestion", [
    ("http://feed:8765", "ws://feed:8765"), ("https://feed:8765/x", "wss://feed:8765/x"),
    ("ftp://feed:1", ""), ("ws://", ""), ("ws://feed:99999", ""), ("", ""), ("ws://:8765", ""),
])
def test_addresses_that_cannot_work(url, suggestion):
    p = check_url(url)
    assert p is not None and p.kind is ProblemKind.BAD_URL, url
    assert p.suggestion == suggestion


@pytest.mark.parametrize("url", ["ws://127.0.0.1:8765", "wss://feed.example.com:443/feed", "ws://[::1]:9",
                                 "  ws://localhost:1  "])
def test_good_addresses_pass(url):
    assert check_url(url) is None


def test_targets_are_host_and_port_without_secrets():
    assert target_of("wss://amy:pw@feed.example.com:8443/x?token=1") == "feed.example.com:8443"
    assert target_of("127.0.0.1:18949") == "127.0.0.1:18949"
    assert target_of("ws://[::1]:9") == "[::1]:9"


# -- exceptions -------------------------------------------------------------------------------
@pytest.mark.parametrize("exc, kind", [
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 1)"), ProblemKind.REFUSED),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), ProblemKind.UNREACHABLE),
    (OSError(errno.EHOSTUNREACH, "No route to host"), ProblemKind.UNREACHABLE),
    (socket.gaierror(-2, "Name or service not known"), ProblemKind.DNS),
    (TimeoutError(), ProblemKind.TIMEOUT),
    (ssl.SSLCertVerificationError("certificate verify failed"), ProblemKind.TLS),
    (OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 9), "
             "[Errno 111] Connect call failed ('127.0.0.1', 9)"), ProblemKind.REFUSED),
    (ValueError("something else"), ProblemKind.OTHER),
])
def test_exceptions_are_classified(exc, kind):
    p = classify_exception(exc, "ws://feed.example.com:8765")
    assert p.kind is kind
    assert p.target == "feed.example.com:8765"


# -- the client's texts -----------------------------------------------------------------------
@pytest.mark.parametrize("text, kind", [
    ("cannot connect: [Errno 111] Connect call failed ('127.0.0.1', 18949); retrying in 1.7 s", ProblemKind.REFUSED),
    ("cannot connect: [Errno -2] Name or service not known; retrying in 2.0 s", ProblemKind.DNS),
    ("invalid feed address: 127.0.0.1:18949 isn't a valid URI: scheme isn't ws or wss; not retrying",
     ProblemKind.BAD_URL),
    ("ws://h:1 refused our token (HTTP 401); see --token-file / $WARROOM_TOKEN; retrying in 12.0 s",
     ProblemKind.AUTH),
    ("protocol mismatch: server speaks [9], this console [1]; retrying in 11.0 s", ProblemKind.PROTOCOL),
    ("no answer from the feed within 10 s; retrying in 1.0 s", ProblemKind.TIMEOUT),
    ("cannot connect: the feed's TLS certificate is not trusted (self-signed); give its CA with --ca FILE",
     ProblemKind.TLS),
    ("cannot connect: server rejected WebSocket connection: HTTP 404; retrying in 11.5 s", ProblemKind.NOT_FEED),
    ("closed by server: 4008 slow consumer; retrying in 0.3 s", ProblemKind.CLOSED),
    ("refusing to send the token unencrypted to ws://10.0.0.1:8765: use wss://; not retrying",
     ProblemKind.INSECURE),
])
def test_client_reasons_are_classified(text, kind):
    p = classify_reason(text)
    assert p is not None and p.kind is kind
    assert p.retrying == ("retrying in" in text)
    assert "retrying" not in p.detail


def test_reasons_that_are_no_problem():
    assert classify_reason("live from sim-7") is None
    assert classify_reason("connecting to ws://127.0.0.1:1") is None
    assert classify_reason("") is None


def test_the_target_is_read_from_the_reason_when_no_address_is_given():
    p = classify_reason("cannot connect: [Errno 111] Connect call failed ('10.1.2.3', 8765); retrying in 1 s")
    assert p is not None and p.target == "10.1.2.3:8765"
    assert p.describe() == "Cannot reach 10.1.2.3:8765: connection refused"


async def _client_reason(url: str, **kw) -> FeedProblem | None:
    """Run a real client at ``url`` until it reports a disconnect; classify its reason."""
    client = FeedClient(url, backoff=Backoff(initial=5, maximum=5), open_timeout_s=2, **kw)
    task = asyncio.create_task(client.run())
    try:
        for _ in range(200):
            await asyncio.sleep(0.02)
            st = client.status
            if st.state is ConnectionState.DISCONNECTED and st.reason not in ("not started",):
                return classify_reason(st.reason, url)
        raise AssertionError(f"no disconnect: {client.status}")
    finally:
        await client.stop()
        await task


async def test_a_real_client_refused_by_a_closed_port():
    url = f"ws://127.0.0.1:{closed_port()}"
    p = await _client_reason(url)
    assert p is not None and p.kind is ProblemKind.REFUSED and p.retrying
    assert p.target == url[len("ws://"):]


async def test_a_real_client_given_an_address_without_scheme():
    p = await _client_reason("127.0.0.1:18949")
    assert p is not None and p.kind is ProblemKind.BAD_URL and not p.retrying
    assert p.suggestion == "ws://127.0.0.1:18949"


async def test_a_real_client_refused_for_its_token(source):
    server = FeedServer(source, port=0, tokens=TokenStore.from_tokens({generate_token(): ("amy", "viewer")}))
    await server.start()
    try:
        p = await _client_reason(server.url, credentials=Credentials(Secret(generate_token())))
    finally:
        await server.stop()
    assert p is not None and p.kind is ProblemKind.AUTH


# -- the connection test ---------------------------------------------------------------------
async def test_probe_reads_the_hello_of_a_real_feed(source):
    server = FeedServer(source, port=0, heartbeat_s=0.2)
    await server.start()
    try:
        result = await probe(server.url, timeout_s=5)
    finally:
        await server.stop()
    assert result.ok and result.problem is None
    assert result.server_id == server.server_id and result.versions


async def test_probe_of_a_closed_port_says_refused():
    result = await probe(f"ws://127.0.0.1:{closed_port()}", timeout_s=5)
    assert not result.ok and result.problem is not None and result.problem.kind is ProblemKind.REFUSED


async def test_probe_of_a_bad_address_does_not_connect():
    result = await probe("127.0.0.1:18949")
    assert not result.ok and result.problem.kind is ProblemKind.BAD_URL


async def test_probe_of_a_silent_server_times_out():
    async def silent(ws):
        await asyncio.sleep(10)

    async with serve(silent, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        result = await probe(f"ws://127.0.0.1:{port}", timeout_s=0.5)
    assert not result.ok and result.problem.kind is ProblemKind.TIMEOUT


async def test_probe_of_a_websocket_that_is_not_a_feed():
    async def chatty(ws):
        await ws.send('{"type": "hi there"}')
        await asyncio.sleep(1)

    async with serve(chatty, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        result = await probe(f"ws://127.0.0.1:{port}", timeout_s=3)
    assert not result.ok and result.problem.kind is ProblemKind.PROTOCOL


async def test_probe_without_the_token_a_feed_requires(source):
    server = FeedServer(source, port=0, tokens=TokenStore.from_tokens({generate_token(): ("amy", "viewer")}))
    await server.start()
    try:
        result = await probe(server.url, credentials=Credentials())
    finally:
        await server.stop()
    assert not result.ok and result.problem.kind is ProblemKind.AUTH
