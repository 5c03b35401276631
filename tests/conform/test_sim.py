"""``warroom sim`` passes the conformance kit: every check, commands and resumption included."""

from __future__ import annotations

import pytest

from warroom.cli import main
from warroom.conform import Options, Status, exit_status, render, run
from warroom.core.clock import wall_ms
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.sim.thread import SimFeedThread

from .broken_feeds import RawFeed


@pytest.fixture
def sim():
    feed = SimFeed(Simulator(start_ms=wall_ms(), seed=7), speed=10.0)
    thread = SimFeedThread(feed)
    url = thread.start()
    try:
        yield feed, url
    finally:
        thread.stop()


def test_the_simulator_passes_every_check_with_commands(sim):
    feed, url = sim
    before = feed.sim.active_plans
    obs, results = run(Options(url, seconds=1.0, allow_commands=True))
    assert {r.id: r.status for r in results} == {r.id: Status.PASS for r in results}, render(obs, results)
    assert exit_status(results) == 0
    assert obs.commands is not None and obs.commands.plan_id  # a plan really ran
    assert feed.sim.active_plans == before  # and was rolled back


def test_warroom_conform_exits_0_on_the_simulator(sim, capsys):
    _, url = sim
    assert main(["conform", "--url", url, "--seconds", "1", "--json-only"]) == 0
    out = capsys.readouterr().out
    assert "PASS: " in out and "FAIL" not in out
    assert "commands" in out and "not requested (--allow-commands)" in out


def test_warroom_conform_exits_1_and_names_the_section_on_a_broken_feed(capsys):
    with RawFeed({"seq_jump"}) as url:
        status = main(["conform", "--url", url, "--seconds", "1"])
    out = capsys.readouterr().out
    assert status == 1
    row = next(line for line in out.splitlines() if line.startswith("seq "))
    assert "§2" in row and "FAIL" in row and "jumped" in row


def test_warroom_conform_exits_2_when_the_feed_cannot_be_reached(capsys):
    with RawFeed() as url:
        pass  # started and stopped: nothing listens there now
    assert main(["conform", "--url", url, "--seconds", "1"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_plan_needs_allow_commands(capsys):
    assert main(["conform", "--url", "ws://127.0.0.1:9", "--plan", "degrade-coupon"]) == 2
    assert "--plan needs --allow-commands" in capsys.readouterr().err
