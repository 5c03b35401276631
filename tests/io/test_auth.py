"""Access control: tokens, roles, the server's refusals, idempotent commands over the wire, no leaks.

Real servers and clients on 127.0.0.1; the simulator's feed where commands must really run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from warroom.core.model import EventKind
from warroom.io.auth import (
    AuthError,
    Credentials,
    Identity,
    RedactingLogger,
    Role,
    Secret,
    TokenStore,
    add_token,
    generate_token,
    hash_token,
    is_loopback,
    parse_bearer,
    read_token_file,
    redact,
    role_allows,
)
from warroom.io.client import Backoff, ConnectionState, FeedClient, FeedStatus
from warroom.io.oneshot import send_command
from warroom.app.recorder import Recorder
from warroom.io.server import FeedServer
from warroom.protocol import Command, CommandResult, Decoder, Hello, Subscribe, encode
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import HistoryReader, StoreWriter

START = 1_763_605_800_000
VIEWER_TOKEN = generate_token()
COMMANDER_TOKEN = generate_token()
TOKENS = {VIEWER_TOKEN: ("wall-3", "viewer"), COMMANDER_TOKEN: ("li.commander", "commander")}


def creds(token: str | None) -> Credentials:
    return Credentials(None if token is None else Secret(token))


async def next_of(client: FeedClient, kind: type, timeout: float = 5.0, where=lambda m: True):
    async def loop():
        while True:
            item = await client.queue.get()
            if isinstance(item, kind) and where(item):
                return item

    return await asyncio.wait_for(loop(), timeout)


async def live(client: FeedClient) -> None:
    await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)


class Running:
    """A FeedServer (and the client tasks of a test) torn down in order."""

    def __init__(self, source, **kw) -> None:
        self.server = FeedServer(source, port=0, heartbeat_s=0.2, **kw)
        self.clients: list[tuple[FeedClient, asyncio.Task]] = []

    async def __aenter__(self) -> "Running":
        await self.server.start()
        return self

    def client(self, token: str | None, **kw) -> FeedClient:
        kw.setdefault("backoff", Backoff(initial=0.05, maximum=0.2))
        c = FeedClient(self.server.url, credentials=creds(token), **kw)
        self.clients.append((c, asyncio.create_task(c.run())))
        return c

    async def __aexit__(self, *exc) -> None:
        for c, task in self.clients:
            await c.stop()
            await task
        await self.server.stop()


@pytest.fixture
def sim_feed() -> SimFeed:
    return SimFeed(Simulator(seed=7, start_ms=START), speed=50.0)


def plan_events(feed: SimFeed) -> list:
    _, events = feed.sim.tick()
    return [e for e in events if e.kind is EventKind.PLAN_EXECUTION]


# -- tokens, roles, files ---------------------------------------------------------------
def test_generated_tokens_are_long_random_and_recognisable():
    a, b = generate_token(), generate_token()
    assert a != b and a.startswith("wr_") and len(a) >= 40
    assert len(hash_token(a)) == 64 and hash_token(a) == hash_token(a)


def test_roles_are_ordered_and_unknown_roles_allow_nothing():
    assert role_allows("commander", Role.COMMANDER) and role_allows("commander", Role.VIEWER)
    assert role_allows("viewer", Role.VIEWER) and not role_allows("viewer", Role.COMMANDER)
    assert not role_allows("superuser", Role.COMMANDER) and not role_allows("", Role.COMMANDER)
    viewer = Identity("amy", Role.VIEWER)
    assert not any(viewer.may(a) for a in ("execute_plan", "rollback_plan", "inject_fault", "clear_fault", "new_one"))
    assert Identity("li", Role.COMMANDER).may("execute_plan")


def test_a_publisher_is_a_viewer_on_the_feed_and_the_only_role_that_publishes():
    assert role_allows("publisher", Role.PUBLISHER) and role_allows("publisher", Role.VIEWER)
    assert not role_allows("publisher", Role.COMMANDER)  # a leaked CI token runs no plan
    # Publishing is not a rank: neither a viewer nor a commander may post to the receivers.
    assert not role_allows("viewer", Role.PUBLISHER) and not role_allows("commander", Role.PUBLISHER)
    assert not role_allows("superuser", Role.PUBLISHER)
    publisher = Identity("ci", Role.PUBLISHER)
    assert not any(publisher.may(a) for a in ("execute_plan", "rollback_plan", "inject_fault", "clear_fault",
                                              "preview_plan", "new_one"))


async def test_a_publisher_token_on_the_feed_watches_and_cannot_command(source, tmp_path, capsys, main):
    tokens = tmp_path / "tokens.txt"
    assert main(["token", "new", "--name", "ci-deploys", "--role", "publisher", "--file", str(tokens)]) == 0
    token = capsys.readouterr().out.strip()
    assert "ci-deploys  publisher  sha256:" in tokens.read_text()
    async with Running(source, tokens=TokenStore.load(tokens)) as run:
        client = run.client(token)
        hello = await next_of(client, Hello)
        assert (hello.role, hello.user) == ("publisher", "ci-deploys")
        assert not client.may_command and not client.may("execute_plan")
        res = await send_command(run.server.url, "execute_plan", {"plan_id": "p"}, credentials=creds(token))
        assert (res.state, res.code) == ("rejected", "forbidden")
        assert "needs the commander role; ci-deploys is a publisher" in res.message
    assert source.commands == []


def test_the_store_keeps_digests_and_recognises_tokens():
    store = TokenStore.from_tokens(TOKENS)
    assert store.authenticate(VIEWER_TOKEN) == Identity("wall-3", Role.VIEWER)
    assert store.authenticate(COMMANDER_TOKEN) == Identity("li.commander", Role.COMMANDER)
    assert store.authenticate(VIEWER_TOKEN + "x") is None and store.authenticate("") is None
    assert store.authenticate(None) is None
    held = repr(vars(store)) + repr(store) + repr(store._entries)
    assert VIEWER_TOKEN not in held and COMMANDER_TOKEN not in held
    assert store.names == ["li.commander", "wall-3"]


def test_token_new_appends_a_digest_and_returns_the_token_once(tmp_path):
    path = tmp_path / "tokens.txt"
    t1 = add_token(path, "li.commander", "commander")
    t2 = add_token(path, "wall-3", Role.VIEWER)
    text = path.read_text()
    assert t1 not in text and t2 not in text  # only digests are written
    assert f"sha256:{hash_token(t1)}" in text and text.startswith("# Warroom feed tokens")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    store = TokenStore.load(path)
    assert len(store) == 2
    assert store.authenticate(t1) == Identity("li.commander", Role.COMMANDER)
    assert store.authenticate(t2).role is Role.VIEWER


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("amy viewer", "line 1: expected NAME ROLE sha256:HEX (2 fields found)"),
        ("# c\namy admin sha256:" + "0" * 64, "line 2: unknown role 'admin' (roles: viewer, commander, publisher)"),
        ("amy viewer sha256:1234", "line 1: the third field must be sha256: and 64 hex digits"),
        ("amy viewer " + VIEWER_TOKEN, "looks like a token itself"),
        ("a b c d", "4 fields found"),
        ("/amy viewer sha256:" + "0" * 64, "user name '/amy'"),
        ("amy viewer sha256:" + "0" * 64 + "\nbob commander sha256:" + "0" * 64, "the same token is listed twice"),
        ("# nothing here\n", "lists no tokens"),
    ],
)
def test_bad_tokens_files_are_refused_with_the_line_and_without_the_token(tmp_path, text, words):
    path = tmp_path / "tokens.txt"
    path.write_text(text)
    with pytest.raises(AuthError) as err:
        TokenStore.load(path)
    assert words in str(err.value)
    assert str(path) in str(err.value)
    assert VIEWER_TOKEN not in str(err.value)


def test_a_missing_tokens_file_is_a_clear_error(tmp_path):
    with pytest.raises(AuthError, match="cannot read tokens file .*nope.txt"):
        TokenStore.load(tmp_path / "nope.txt")


def test_client_credentials_come_from_a_file_or_the_environment(tmp_path, caplog):
    f = tmp_path / "me.token"
    f.write_text(f"# mine\n{COMMANDER_TOKEN}\n")
    f.chmod(0o600)
    c = Credentials.resolve(token_file=f, env={})
    assert c.token.reveal() == COMMANDER_TOKEN
    assert c.headers() == {"Authorization": f"Bearer {COMMANDER_TOKEN}"}
    assert COMMANDER_TOKEN not in repr(c) and COMMANDER_TOKEN not in str(c.token)
    assert Credentials.resolve(env={"WARROOM_TOKEN": f" {VIEWER_TOKEN}\n"}).token.reveal() == VIEWER_TOKEN
    assert Credentials.resolve(token_file=f, env={"WARROOM_TOKEN": VIEWER_TOKEN}).token.reveal() == COMMANDER_TOKEN
    assert Credentials.resolve(env={}).token is None

    f.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        read_token_file(f)
    assert "can be read by other users" in caplog.text
    for bad, words in [("", r"one token on one line \(0 lines"), ("a b c d e f g h i j k l m n o p", "not shown"),
                       ("short", "16 to 512")]:
        f.write_text(bad)
        with pytest.raises(AuthError, match=words):
            read_token_file(f)
    with pytest.raises(AuthError, match="cannot read token file"):
        read_token_file(tmp_path / "none")
    with pytest.raises(AuthError, match="no such CA file"):
        Credentials.resolve(ca_file=tmp_path / "ca.pem", env={})


def test_a_token_is_never_sent_unencrypted_to_another_machine():
    c = creds(COMMANDER_TOKEN)
    assert c.transport_problem("ws://127.0.0.1:8765") is None
    assert c.transport_problem("ws://localhost:8765/") is None
    assert c.transport_problem("ws://[::1]:8765") is None
    assert c.transport_problem("wss://feed.example:443") is None
    problem = c.transport_problem("ws://feed.example:8765")
    assert "unencrypted" in problem and "wss://" in problem and COMMANDER_TOKEN not in problem
    assert creds(None).transport_problem("ws://feed.example:8765") is None  # nothing to leak
    assert is_loopback("::ffff:127.0.0.1") and not is_loopback("10.0.0.5") and not is_loopback("")


def test_redaction_and_bearer_parsing():
    assert parse_bearer(f"Bearer {VIEWER_TOKEN}") == VIEWER_TOKEN
    assert parse_bearer(f"bearer   {VIEWER_TOKEN} ") == VIEWER_TOKEN
    assert parse_bearer("Basic YWxhZGRpbjpvcGVuc2VzYW1l") is None and parse_bearer(None) is None
    assert parse_bearer("Bearer") is None
    text = f"> Authorization: Bearer abc.def-secret, then {VIEWER_TOKEN} and s3cr3t-value"
    out = redact(text, "s3cr3t-value")
    assert "abc.def-secret" not in out and VIEWER_TOKEN not in out and "s3cr3t-value" not in out
    assert "Bearer [redacted]" in out


def test_the_websockets_logger_adapter_redacts_header_lines(caplog):
    logger = RedactingLogger(logging.getLogger("websockets.client"))
    with caplog.at_level(logging.DEBUG, logger="websockets.client"):
        logger.debug("> %s: %s", "Authorization", f"Bearer {COMMANDER_TOKEN}")
    assert caplog.records and COMMANDER_TOKEN not in caplog.text and "Bearer [redacted]" in caplog.text


# -- the server's door ------------------------------------------------------------------
async def test_no_or_unknown_token_is_refused_before_the_upgrade(source, caplog):
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        for token in (None, generate_token()):
            with pytest.raises(InvalidStatus) as err:
                headers = {} if token is None else {"Authorization": f"Bearer {token}"}
                async with connect(run.server.url, additional_headers=headers, proxy=None):
                    pass
            assert err.value.response.status_code == 401
            assert err.value.response.headers["WWW-Authenticate"] == 'Bearer realm="warroom"'
            if token is not None:
                assert token not in caplog.text
        assert run.server.stats.auth_failures == 2 and run.server.stats.connections == 0
        assert "no bearer token" in caplog.text and "unknown token" in caplog.text

        client = run.client(generate_token())
        status = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED
                               and "HTTP 401" in s.reason)
        assert "refused our token" in status.reason
        assert client.slow_backoff.attempt >= 1 and client.backoff.attempt == 0  # a wrong token is retried slowly
        assert source.commands == []


async def test_hello_tells_the_client_its_role_and_name(source):
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        viewer, commander = run.client(VIEWER_TOKEN), run.client(COMMANDER_TOKEN)
        hv, hc = await next_of(viewer, Hello), await next_of(commander, Hello)
        assert (hv.role, hv.user) == ("viewer", "wall-3") and (viewer.role, viewer.user) == ("viewer", "wall-3")
        assert (hc.role, hc.user) == ("commander", "li.commander")
        assert not viewer.may_command and not viewer.may("execute_plan")
        assert commander.may_command and commander.may("rollback_plan")


async def test_without_tokens_loopback_clients_command_and_the_log_says_so(source, caplog):
    with caplog.at_level(logging.WARNING, logger="warroom.io.server"):
        async with Running(source) as run:
            client = run.client(None)
            hello = await next_of(client, Hello)
            assert (hello.role, hello.user) == ("commander", "")
    assert "NO ACCESS CONTROL" in caplog.text


def test_without_tokens_clients_from_other_machines_only_watch(source):
    server = FeedServer(source, host="0.0.0.0", port=0)

    class Conn:  # what the handshake check reads of a connection
        def __init__(self, addr):
            self.remote_address = (addr, 50000)

    near, far = Conn("127.0.0.1"), Conn("10.1.2.3")
    assert server._authenticate(near, None) is None and server._authenticate(far, None) is None
    assert server._identities[near].role is Role.COMMANDER
    assert server._identities[far] == Identity("", Role.VIEWER, authenticated=False)


async def test_a_viewers_command_sent_by_hand_is_refused_by_the_server(source, caplog):
    caplog.set_level(logging.DEBUG)
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        # Not our client (which would not offer the button): raw frames, as a script would send them.
        decoder = Decoder()
        async with connect(run.server.url, additional_headers={"Authorization": f"Bearer {VIEWER_TOKEN}"},
                           proxy=None) as ws:
            hello = decoder.decode(await ws.recv(), 0).message
            assert hello.role == "viewer"
            await ws.send(encode(Subscribe("by-hand", streams=())), text=True)
            for action, args in [("execute_plan", {"plan_id": "degrade-coupon"}), ("inject_fault", {"spec": "x:y"})]:
                key = f"hand-{action}"
                await ws.send(encode(Command(key, action, args, actor="li.commander")), text=True)
                while not isinstance(res := decoder.decode(await ws.recv(), 2**62).message, CommandResult):
                    pass
                assert (res.idempotency_key, res.state, res.code) == (key, "rejected", "forbidden")
                assert f"{action} needs the commander role; wall-3 is a viewer" in res.message
                assert res.detail == {"action": action, "required_role": "commander", "role": "viewer"}
        assert source.commands == []  # the source never saw them
        assert run.server.stats.forbidden_commands == 2
    refusals = [r for r in caplog.records if r.name == "warroom.io.server" and "refused execute_plan" in r.getMessage()]
    assert refusals and refusals[0].levelno == logging.WARNING and "wall-3" in refusals[0].getMessage()
    # The hand-made client above logs its own headers (it is not ours); the server's side must not.
    server_side = "\n".join(r.getMessage() for r in caplog.records if r.name != "websockets.client")
    assert "< Authorization: Bearer [redacted]" in server_side and VIEWER_TOKEN not in server_side


async def test_the_actor_is_the_authenticated_user_not_the_claimed_one(source):
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        client = run.client(COMMANDER_TOKEN)
        await live(client)
        await client.send_command(Command("actor-key-1", "execute_plan", {"plan_id": "p"}, actor="someone.else"))
        await next_of(client, CommandResult)
        cmd, client_id = source.commands[0]
        assert cmd.actor == "li.commander" and client_id == client.client_id


async def test_oneshot_reports_forbidden_and_401_without_the_token(source):
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        url = run.server.url
        res = await send_command(url, "execute_plan", {"plan_id": "p"}, credentials=creds(VIEWER_TOKEN))
        assert (res.state, res.code) == ("rejected", "forbidden")
        res = await send_command(url, "execute_plan", {"plan_id": "p"}, actor="x", credentials=creds(COMMANDER_TOKEN))
        assert res.state == "succeeded" and source.commands[-1][0].actor == "li.commander"
        wrong = generate_token()
        with pytest.raises(ConnectionError) as err:
            await send_command(url, "execute_plan", {"plan_id": "p"}, credentials=creds(wrong))
        assert "refused the token (HTTP 401)" in str(err.value) and wrong not in str(err.value)
        with pytest.raises(ConnectionError, match=r"requires a token .*HTTP 401"):
            await send_command(url, "execute_plan", {"plan_id": "p"}, credentials=Credentials())
    with pytest.raises(ConnectionError, match="unencrypted"):
        await send_command("ws://192.0.2.1:9", "clear_fault", {"fault_id": "f"}, credentials=creds(COMMANDER_TOKEN))


# -- at most once, over the wire ----------------------------------------------------------
async def test_a_replayed_command_runs_once_and_the_replay_says_so(sim_feed):
    async with Running(sim_feed, tokens=TokenStore.from_tokens(TOKENS)) as run:
        client = run.client(COMMANDER_TOKEN)
        await live(client)
        cmd = Command("replay-key-0001", "execute_plan", {"plan_id": "degrade-coupon"}, reason="drill")
        await client.send_command(cmd)
        first = await next_of(client, CommandResult)
        await client.send_command(cmd)  # e.g. a double click, or a resend
        second = await next_of(client, CommandResult)
    assert first.state == "succeeded" and not first.replay
    assert second.replay and (second.state, second.message, second.detail) == (first.state, first.message, first.detail)
    executed = plan_events(sim_feed)
    assert len(executed) == 1 and executed[0].attrs["actor"] == "li.commander"
    assert sim_feed.sim.active_plans == ("degrade-coupon",)


class Slow:
    """A feed source that executes at once but answers only when the test lets it:
    the connection can drop between the execution and its result."""

    def __init__(self, inner: SimFeed) -> None:
        self.inner, self.speed = inner, inner.speed
        self.executed = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    def now_ms(self) -> int:
        return self.inner.now_ms()

    def snapshot_messages(self):
        return self.inner.snapshot_messages()

    async def handle_command(self, command, client_id):
        self.calls += 1
        results = await self.inner.handle_command(command, client_id)
        self.executed.set()
        await self.release.wait()
        return results


async def test_a_connection_dropped_during_execution_ends_consistent(sim_feed):
    source = Slow(sim_feed)
    async with Running(source, tokens=TokenStore.from_tokens(TOKENS)) as run:
        client = run.client(COMMANDER_TOKEN)
        await live(client)
        cmd = Command("drop-key-0001", "execute_plan", {"plan_id": "failover-bank-icbc"}, reason="ICBC timeouts")
        await client.send_command(cmd)
        await asyncio.wait_for(source.executed.wait(), 5)
        client._ws.transport.abort()  # the network goes away before the result is sent
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED)
        await live(client)  # reconnected
        await client.send_command(cmd)  # the console resends what it never saw finish, same key
        await asyncio.sleep(0.2)
        assert source.calls == 1  # the resend waits for the first, still in flight
        source.release.set()
        res = await next_of(client, CommandResult, where=lambda r: r.idempotency_key == cmd.idempotency_key)
        assert source.calls == 2
    assert res.state == "succeeded" and res.replay and "failover-bank-icbc" in res.message
    executed = plan_events(sim_feed)
    assert len(executed) == 1 and executed[0].attrs["actor"] == "li.commander"
    assert sim_feed.sim.active_plans == ("failover-bank-icbc",)


# -- no leaks -----------------------------------------------------------------------------
async def test_tokens_appear_in_no_log_event_or_stored_history(sim_feed, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # websockets logs every request header at this level
    db = tmp_path / "h.duckdb"
    writer = StoreWriter(db, flush_interval_s=0.05)
    async with Running(sim_feed, tokens=TokenStore.from_tokens(TOKENS)) as run:
        feed_task = asyncio.create_task(sim_feed.run(run.server))
        client = run.client(COMMANDER_TOKEN)
        recorder = Recorder(client, writer)
        rec_task = asyncio.create_task(recorder.run())
        try:
            await asyncio.sleep(0.3)
            res = await send_command(run.server.url, "execute_plan", {"plan_id": "degrade-coupon"},
                                     reason="drill", credentials=creds(COMMANDER_TOKEN))
            assert res.state == "succeeded"
            await send_command(run.server.url, "rollback_plan", {"plan_id": "degrade-coupon"},
                               credentials=creds(VIEWER_TOKEN))
            for _ in range(100):
                await asyncio.sleep(0.05)
                if recorder.stats.events >= 2:
                    break
            statuses = [repr(client.status), repr(client.credentials), repr(vars(client))]
        finally:
            sim_feed.stop()
            feed_task.cancel()
            rec_task.cancel()
    await asyncio.to_thread(writer.close)
    assert "Bearer [redacted]" in caplog.text  # the header was logged, and redacted
    for token in (COMMANDER_TOKEN, VIEWER_TOKEN):
        assert token not in caplog.text
        assert all(token not in s for s in statuses)
    with HistoryReader(db) as reader:
        events = reader.events(START - 86_400_000, START + 2 * 86_400_000)
    plan = [e for e in events if e.kind is EventKind.PLAN_EXECUTION]
    assert plan and plan[0].attrs["actor"] == "li.commander"  # who, from the token, not the client
    assert any(e.kind is EventKind.FEED for e in events)  # the recorder's own connection events too
    dumped = json.dumps([[e.id, e.title, e.subject, dict(e.attrs)] for e in events])
    raw = db.read_bytes()
    for token in (COMMANDER_TOKEN, VIEWER_TOKEN):
        assert token not in dumped and token.encode() not in raw
        assert hash_token(token) not in dumped


# -- the command line -----------------------------------------------------------------------
@pytest.fixture
def main(monkeypatch):
    """``warroom.cli.main``, callable from a worker thread (it sets SIGPIPE, which only the main thread may)."""
    import signal

    from warroom.cli import main

    monkeypatch.setattr(signal, "signal", lambda *a: None)
    return main


async def test_cli_token_new_then_plan_with_a_token_file(source, tmp_path, capsys, main):
    tokens = tmp_path / "tokens.txt"
    assert main(["token", "new", "--name", "wall-3", "--role", "viewer", "--file", str(tokens)]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("wr_") and "shown only this once" in err and token not in err
    assert main(["token", "new", "--name", "li", "--role", "commander", "--file", str(tokens)]) == 0
    commander_token = capsys.readouterr().out.strip()
    tok = tmp_path / "me.token"
    tok.write_text(token + "\n")
    tok.chmod(0o600)
    async with Running(source, tokens=TokenStore.load(tokens)) as run:
        code = await asyncio.to_thread(main, ["plan", "--url", run.server.url, "--token-file", str(tok),
                                              "execute", "degrade-coupon", "--reason", "try"])
        out, err = capsys.readouterr()
        assert code == 1 and out.startswith("rejected: forbidden: execute_plan needs the commander role")
        tok.write_text(commander_token)
        code = await asyncio.to_thread(main, ["plan", "--url", run.server.url, "--token-file", str(tok),
                                              "--actor", "not-me", "execute", "degrade-coupon"])
        out2, err2 = capsys.readouterr()
        assert code == 0 and out2.startswith("succeeded")
        assert source.commands[0][0].actor == "li"
    for text in (out, err, out2, err2):
        assert token not in text and commander_token not in text


def test_cli_refuses_bad_access_files_in_one_line(tmp_path, capsys, main):
    assert main(["sim", "--tokens", str(tmp_path / "none.txt"), "--port", "0"]) == 2
    assert "cannot read tokens file" in capsys.readouterr().err
    assert main(["plan", "--token-file", str(tmp_path / "none"), "execute", "p"]) == 2
    assert "cannot read token file" in capsys.readouterr().err
    assert main(["token", "new", "--name", "a b", "--role", "viewer", "--file", str(tmp_path / "t")]) == 2
    assert "user name 'a b'" in capsys.readouterr().err and not (tmp_path / "t").exists()
