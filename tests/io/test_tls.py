"""TLS: a real wss:// feed with a certificate made at test time, and clients that verify it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from warroom.io.auth import AuthError, Credentials, Secret, TokenStore, generate_token
from warroom.io.client import Backoff, ConnectionState, FeedClient, FeedStatus
from warroom.io.oneshot import send_command
from warroom.io.server import FeedServer
from warroom.protocol import Command, CommandResult, Hello

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

TOKEN = generate_token()


def make_cert(folder: Path, name: str, san: str) -> tuple[Path, Path]:
    """A self-signed EC certificate and its key, as docs/security.md shows."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    return {
        "local": make_cert(folder, "localhost", "DNS:localhost,IP:127.0.0.1"),
        "elsewhere": make_cert(folder, "feed.example", "DNS:feed.example"),
    }


async def next_of(client: FeedClient, kind: type, timeout: float = 5.0, where=lambda m: True):
    async def loop():
        while True:
            item = await client.queue.get()
            if isinstance(item, kind) and where(item):
                return item

    return await asyncio.wait_for(loop(), timeout)


async def run_client(url: str, credentials: Credentials, check) -> None:
    client = FeedClient(url, credentials=credentials, backoff=Backoff(initial=0.05, maximum=0.2))
    task = asyncio.create_task(client.run())
    try:
        await check(client)
    finally:
        await client.stop()
        await task


async def test_a_wss_feed_with_a_token(source, certs):
    cert, key = certs["local"]
    server = FeedServer(source, port=0, heartbeat_s=0.2, ssl_cert=cert, ssl_key=key,
                        tokens=TokenStore.from_tokens({TOKEN: ("li.commander", "commander")}))
    await server.start()
    assert server.url.startswith("wss://127.0.0.1:")

    async def check(client: FeedClient) -> None:
        hello = await next_of(client, Hello)
        assert (hello.role, hello.user) == ("commander", "li.commander")
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        await client.send_command(Command("tls-key-0001", "execute_plan", {"plan_id": "p"}))
        assert (await next_of(client, CommandResult)).state == "succeeded"

    try:
        await run_client(server.url, Credentials(Secret(TOKEN), ca_file=cert), check)
        # ... and by name: the certificate is for localhost too.
        await run_client(server.url.replace("127.0.0.1", "localhost"), Credentials(Secret(TOKEN), ca_file=cert),
                         lambda c: next_of(c, Hello))
        res = await send_command(server.url, "clear_fault", {"fault_id": "f"}, credentials=Credentials(Secret(TOKEN), cert))
        assert res.state == "succeeded"
    finally:
        await server.stop()
    assert [c.actor for c, _ in source.commands] == ["li.commander", "li.commander"]


async def test_an_untrusted_or_misnamed_certificate_is_refused(source, certs):
    servers = [FeedServer(source, port=0, ssl_cert=certs[n][0], ssl_key=certs[n][1]) for n in ("local", "elsewhere")]
    for s in servers:
        await s.start()
    local, elsewhere = servers

    async def refused(words: str):
        async def check(client: FeedClient) -> None:
            status = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED
                                   and "retrying" in s.reason)
            assert words in status.reason and "TLS certificate" in status.reason, status.reason
        return check

    try:
        # No CA given: the system's authorities do not know a self-signed certificate.
        await run_client(local.url, Credentials(), await refused("--ca FILE"))
        # Trusted, but made out to another name: host names are verified.
        await run_client(elsewhere.url, Credentials(ca_file=certs["elsewhere"][0]), await refused("for another name"))
        with pytest.raises(ConnectionError, match=r"not trusted \(self.signed certificate\); give its CA"):
            await send_command(local.url, "clear_fault", {"fault_id": "f"}, credentials=Credentials(), timeout_s=5)
        # A plain ws:// client cannot talk to a TLS feed at all.
        with pytest.raises(ConnectionError):
            await send_command(local.url.replace("wss://", "ws://"), "clear_fault", {"fault_id": "f"},
                               credentials=Credentials(), timeout_s=5)
    finally:
        for s in servers:
            await s.stop()
    assert source.commands == []


def test_bad_certificate_files_are_refused_at_construction(source, certs, tmp_path):
    cert, key = certs["local"]
    with pytest.raises(AuthError, match="no such file"):
        FeedServer(source, ssl_cert=tmp_path / "none.crt", ssl_key=key)
    with pytest.raises(AuthError, match="cannot load certificate"):
        FeedServer(source, ssl_cert=cert, ssl_key=certs["elsewhere"][1])  # key of another certificate
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(AuthError, match="cannot load CA file"):
        Credentials(ca_file=garbage).ssl_context("wss://127.0.0.1:1")
    assert Credentials(ca_file=cert).ssl_context("ws://127.0.0.1:1") is None
