"""The command executor with a small flag program written by the test (no shell anywhere)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest

from tests.gateway.executors.conftest import SECRET, make_site, no_secret_anywhere, site_plan

PROGRAM = f"""#!{sys.executable}
import os, subprocess, sys, time
from pathlib import Path
cmd, state = sys.argv[1], Path(sys.argv[2])
if os.environ.get("FLAG_TOKEN") != {SECRET!r}:
    print("bad token", file=sys.stderr); sys.exit(3)
if cmd == "get":
    print(state.read_text(), end="")
    marker = Path(str(state) + ".intrude")
    if marker.exists():  # someone else changes the flag right after this read
        state.write_text("someone-else"); marker.unlink()
elif cmd == "set":
    state.write_text(sys.argv[3])
    print("set to", sys.argv[3], "with token", os.environ["FLAG_TOKEN"])
elif cmd == "hang":
    child = subprocess.Popen(["sleep", "30"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    Path(sys.argv[3]).write_text(str(child.pid))
    time.sleep(30)
elif cmd == "fail":
    print("the flag service said no", file=sys.stderr); sys.exit(2)
"""


@pytest.fixture
def flag(tmp_path: Path) -> tuple[Path, Path]:
    """(the program, its state file holding "on")."""
    program = tmp_path / "bin" / "flag"
    program.parent.mkdir()
    program.write_text(PROGRAM)
    program.chmod(0o755)
    state = tmp_path / "flag.state"
    state.write_text("on")
    return program, state


def flag_plan(flag, plan_id: str = "flag-off", verb: str = "set", **kw):
    program, state = flag
    return site_plan(plan_id, "command", {
        "argv": [str(program), verb, str(state), "{params.value}"],
        "env": {"FLAG_TOKEN": "{secret.flag_token}"},
        "check_argv": [str(program), "get", str(state)],
        "rollback_argv": [str(program), "set", str(state), "{snapshot.stdout}"],
    }, kind="degrade", params={"value": "off; rm -rf /"}, **kw)


def site_for(flag, *plans, **kw):
    return make_site(*plans, targets=(f"command:{flag[0].parent}/",), **kw)


async def test_dry_run_shows_argv_and_masks_the_env(flag, runners):
    sp = flag_plan(flag)
    change = await runners(site_for(flag, sp)).preview(sp)
    (req,) = change["requests"]
    assert req["argv"] == [str(flag[0]), "set", str(flag[1]), "off; rm -rf /"]  # one argument, no shell
    assert req["env"] == {"FLAG_TOKEN": "***"}
    assert change["before"] == {"stdout": "on"}
    assert flag[1].read_text() == "on"
    no_secret_anywhere(change)


async def test_execute_verify_rollback_replay(flag, runners, caplog):
    caplog.set_level(logging.DEBUG)
    sp = flag_plan(flag)
    runner = runners(site_for(flag, sp))
    result = await runner.execute(sp, "k1", "dan", "")
    assert result.state == "succeeded", result.message
    assert flag[1].read_text() == "off; rm -rf /"
    assert result.detail["result"]["exit"] == 0
    assert "with token ***" in result.detail["result"]["stdout"]  # the program echoed the secret: masked
    flag[1].write_text("marker")  # a replay must not run the program again
    assert (await runner.execute(sp, "k1", "dan", "")).replay
    assert flag[1].read_text() == "marker"
    flag[1].write_text("off; rm -rf /")
    back = await runner.rollback(sp, "k2", "dan", "")
    assert back.state == "succeeded", back.message
    assert flag[1].read_text() == "on"
    no_secret_anywhere(result.detail, result.events, back.detail, back.events, logs=caplog.text)


async def test_precondition_the_check_output_changed(flag, runners):
    sp = flag_plan(flag)
    Path(str(flag[1]) + ".intrude").write_text("")
    result = await runners(site_for(flag, sp)).execute(sp, "k", "dan", "")
    assert result.state == "rejected" and "answers differently" in result.message
    assert flag[1].read_text() == "someone-else"  # not overwritten


async def test_a_failing_program_fails_with_its_stderr(flag, runners):
    sp = flag_plan(flag, verb="fail")
    result = await runners(site_for(flag, sp)).execute(sp, "k", "dan", "")
    assert result.state == "failed" and "exited with 2: the flag service said no" in result.message
    assert result.detail["rollback_available"] is True


async def test_timeout_kills_the_process_group(flag, runners, tmp_path):
    program, state = flag
    pid_file = tmp_path / "child.pid"
    sp = site_plan("hang", "command", {"argv": [str(program), "hang", str(state), str(pid_file)],
                                       "env": {"FLAG_TOKEN": "{secret.flag_token}"}}, timeout_s=1.5)
    result = await runners(site_for(flag, sp)).execute(sp, "k", "dan", "")
    assert result.state == "failed" and "timed out after 1.5 s" in result.message
    child = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent; give the kernel a moment to reap it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as f:
            if f.read().split(")")[-1].split()[0] == "Z":  # a zombie: dead, waiting for init
                break
        await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the program's child {child} survived the timeout")


async def test_allow_list_names_the_program(flag, runners):
    sp = flag_plan(flag)
    result = await runners(make_site(sp, targets=("command:/usr/local/bin/",))).execute(sp, "k", "dan", "")
    assert result.state == "rejected" and f"command:{flag[0]}" in result.message
    assert flag[1].read_text() == "on"
