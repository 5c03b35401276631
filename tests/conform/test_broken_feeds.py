"""Deliberately broken feeds fail exactly the check that enforces the rule they break."""

from __future__ import annotations

import pytest

from warroom.conform import Options, Status, exit_status, render, run

from .broken_feeds import RawFeed

#: Short windows: the raw feed ticks every 100 ms and beats every 200 ms.
SECONDS = 1.0

# (break, the check that must fail, a section it names, run with --allow-commands, offer resumption)
CASES = [
    ("hello_not_first", "hello", "§3", False, False),
    ("bad_clock", "hello", "§5.1", False, False),
    ("no_common_version", "negotiation", "§3", False, False),
    ("seq_jump", "seq", "§2", False, False),
    ("seq_repeat", "seq", "§2", False, False),
    ("undefined_series", "series-defs", "§5.3.2", False, False),
    ("unknown_service_edge", "topology", "§5.2", False, False),
    ("time_backwards", "series-order", "§5.3", False, False),
    ("no_heartbeats", "heartbeat", "§4", False, False),
    ("bad_plan_kind", "catalogue", "§5.5", False, False),
    ("bad_plan_types", "catalogue", "§5.5", False, False),
    ("nan_literal", "frames", "§1", False, False),
    ("lone_surrogate", "text", "§7.1", False, False),
    ("results_out_of_order", "commands", "§5.7", True, False),
    ("executes_twice", "commands", "§6.2", True, False),
    ("resume_ignored", "resume", "§3.1", False, True),
]


def conform(url: str, **kw):
    return run(Options(url, seconds=SECONDS, command_timeout_s=3.0, **kw))


@pytest.mark.parametrize(("broken", "check", "section", "commands", "resume"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_feed_fails_exactly_its_check(broken, check, section, commands, resume):
    with RawFeed({broken}, resume=resume) as url:
        obs, results = conform(url, allow_commands=commands)
    failed = [r for r in results if r.status is Status.FAIL]
    assert [r.id for r in failed] == [check], render(obs, results)
    assert section in failed[0].section
    assert failed[0].detail
    assert exit_status(results) == 1
    text = render(obs, results)
    assert f"FAIL: 1 of {len(results)} checks failed ({check})" in text


def test_the_raw_feed_unbroken_passes_everything_commands_and_resumption_included():
    feed = RawFeed(resume=True)
    with feed as url:
        obs, results = conform(url, allow_commands=True)
    assert {r.id: r.status for r in results} == {r.id: Status.PASS for r in results}, render(obs, results)
    assert exit_status(results) == 0
    # One execute, the same key again, one rollback: the feed is as it was.
    assert [c["action"] for c in feed.commands] == ["execute_plan", "execute_plan", "rollback_plan"]
    assert feed.commands[0]["idempotency_key"] == feed.commands[1]["idempotency_key"]
    assert feed.active == []


def test_results_sent_to_every_connection_are_no_failure():
    # Section 5.7: results go "at least" to the sender; the replay then also reaches the main connection.
    feed = RawFeed(results_to_all=True)
    with feed as url:
        obs, results = conform(url, allow_commands=True)
    assert {r.id: r.status for r in results}["commands"] is Status.PASS, render(obs, results)
    assert exit_status(results) == 0


def test_without_allow_commands_no_command_is_sent():
    feed = RawFeed()
    with feed as url:
        obs, results = conform(url)
    assert feed.commands == []
    by_id = {r.id: r for r in results}
    assert by_id["commands"].status is Status.SKIP and "--allow-commands" in by_id["commands"].detail
    assert by_id["resume"].status is Status.SKIP and "optional" in by_id["resume"].detail
    assert exit_status(results) == 0


def test_a_command_left_unanswered_is_a_failure_and_the_plan_is_rolled_back():
    feed = RawFeed({"no_final"})
    with feed as url:
        obs, results = run(Options(url, seconds=SECONDS, allow_commands=True, command_timeout_s=1.0))
    commands = next(r for r in results if r.id == "commands")
    assert commands.status is Status.FAIL
    assert "no final result within 1 s" in commands.detail and "restore" in commands.detail
    assert [c["action"] for c in feed.commands] == ["execute_plan", "rollback_plan"]
    assert feed.active == []  # the restore rollback left the feed as it was found
