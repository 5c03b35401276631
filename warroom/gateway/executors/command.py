"""A local program with arguments: never a shell.

``argv`` is templated element by element (a parameter can never split into more arguments or
smuggle shell syntax: there is no shell), its program must be an absolute path and the
allow-list must name it (``command:/usr/local/bin/``). Exit status 0 is success; stdout and
stderr are captured (the first 64 KiB of each). Secrets may only reach the program through
``env``. ``check_argv``'s stdout is the snapshot (the precondition runs it again just before
the write and refuses if the output changed); ``rollback_argv`` undoes the action and may
name the snapshot's text as ``{snapshot.stdout}``. A timeout kills the whole process group.

Options::

    argv: [/usr/local/bin/feature-flag, set, "{params.flag}", "off"]
    env: {FLAG_TOKEN: "{secret.flag_token}"}
    check_argv: [/usr/local/bin/feature-flag, get, "{params.flag}"]
    rollback_argv: [/usr/local/bin/feature-flag, set, "{params.flag}", "{snapshot.stdout}"]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import shlex
from typing import Any, Mapping

from warroom.gateway.executors.base import (
    Context, Draft, ExecError, PreconditionFailed, Progress, Snapshot, change_doc, check_template,
    content_hash, short)

#: Bytes of stdout and of stderr kept from a program (the rest is read and dropped).
OUTPUT_CAP = 64 * 1024
_KEYS = ("argv", "env", "check_argv", "rollback_argv")
#: How long a killed program's exit is awaited before giving up on it.
_REAP_S = 2.0
#: The only variables a program inherits from the gateway's environment.
_INHERIT = ("PATH", "LANG", "LC_ALL", "HOME", "TZ")


def check(options: Mapping[str, Any]) -> list[str]:
    """Problems with a command executor's options."""
    problems = [f"{k}: unknown key (command takes {', '.join(_KEYS)})" for k in options if k not in _KEYS]
    for key in ("argv", "check_argv", "rollback_argv"):
        if key not in options and key != "argv":
            continue
        argv = options.get(key)
        if not isinstance(argv, (list, tuple)) or not argv or not all(isinstance(a, (str, int, float)) for a in argv):
            problems.append(f"{key}: a list [program, arguments...] is required")
            continue
        if not isinstance(argv[0], str) or not os.path.isabs(argv[0]) or "{" in argv[0]:
            problems.append(f"{key}[0]: the program must be an absolute path without templates (got {argv[0]!r})")
        problems += check_template(list(argv), key, snapshot=key == "rollback_argv")
    env = options.get("env", {})
    if not isinstance(env, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        problems.append("env: a mapping of variable name to text is required")
    else:
        problems += check_template(env, "env", secrets=True)
    return problems


class CommandExecutor:
    """See the module docstring."""

    type = "command"

    def can_rollback(self, options: Mapping[str, Any]) -> bool:
        """Only with ``rollback_argv``."""
        return bool(options.get("rollback_argv"))

    def targets(self, ctx: Context, snapshot: Snapshot | None = None) -> list[str]:
        """``command:PROGRAM`` of every program this plan may run."""
        return [f"command:{ctx.options[k][0]}" for k in ("argv", "check_argv", "rollback_argv")
                if ctx.options.get(k)]

    def argv(self, ctx: Context, key: str, snapshot: Any = None) -> list[str]:
        """``options[key]`` with each element templated on its own."""
        out = []
        for i, arg in enumerate(ctx.options[key]):
            value = ctx.render(arg, snapshot=snapshot, where=f"{key}[{i}]")
            out.append(value if isinstance(value, str) else str(value))
        return out

    def env(self, ctx: Context, reveal: bool) -> dict[str, str]:
        """The options' environment (secrets real only if ``reveal``)."""
        env = ctx.render(dict(ctx.options.get("env") or {}), secrets=True, reveal=reveal, where="env")
        return {str(k): str(v) for k, v in env.items()}

    async def read(self, ctx: Context) -> Snapshot:
        """``check_argv``'s stdout (no ``check_argv``: nothing to snapshot)."""
        if not ctx.options.get("check_argv"):
            return Snapshot(None, "")
        state = await self._check(ctx)
        return Snapshot(state, content_hash(state))

    async def _check(self, ctx: Context) -> dict[str, str]:
        result = await run(self.argv(ctx, "check_argv"), self.env(ctx, reveal=True))
        if result["exit"] != 0:
            raise ExecError(f"{ctx.options['check_argv'][0]} (check) exited with {result['exit']}: "
                            f"{short(result['stderr'] or result['stdout'])}")
        return {"stdout": result["stdout"]}

    def draft(self, ctx: Context, snapshot: Snapshot) -> Draft:
        """The program run as a person sees it (environment secrets masked)."""
        argv = self.argv(ctx, "argv")
        req: dict[str, Any] = {"method": "EXEC", "url": "command:" + shlex.join(argv), "argv": argv}
        env = self.env(ctx, reveal=False)
        if env:
            req["env"] = env
        warnings = [] if self.can_rollback(ctx.options) else ["no rollback_argv: this change cannot be undone "
                                                              "from Warroom"]
        change = change_doc("command", f"run {shlex.join(argv)}", f"command:{argv[0]}", [req],
                            snapshot.state, None, warnings)
        return Draft(change)

    def guard(self, ctx: Context, draft: Draft, limits: Any) -> None:
        """No value guardrails beyond the allow-list."""

    async def apply(self, ctx: Context, draft: Draft, snapshot: Snapshot, progress: Progress) -> dict[str, Any]:
        """Re-run ``check_argv`` (precondition), then run ``argv``."""
        if ctx.options.get("check_argv"):
            if content_hash(await self._check(ctx)) != snapshot.version:
                raise PreconditionFailed(f"{ctx.options['check_argv'][0]} answers differently than at the "
                                         "preview: nothing run; preview again")
        return await self._run(ctx, self.argv(ctx, "argv"), progress)

    async def rollback(self, ctx: Context, snapshot: Snapshot, change: Mapping[str, Any],
                       progress: Progress) -> dict[str, Any]:
        """Run ``rollback_argv``."""
        if not self.can_rollback(ctx.options):
            raise ExecError("this plan's command executor has no rollback_argv: undo it by hand")
        return await self._run(ctx, self.argv(ctx, "rollback_argv", snapshot=snapshot.state), progress)

    async def _run(self, ctx: Context, argv: list[str], progress: Progress) -> dict[str, Any]:
        progress.before_write()
        result = await run(argv, self.env(ctx, reveal=True))
        result = {k: ctx.masker.text(v) if isinstance(v, str) else v for k, v in result.items()}
        if result["exit"] != 0:
            raise ExecError(f"{argv[0]} exited with {result['exit']}: {short(result['stderr'] or result['stdout'])}")
        progress.wrote(argv[0])
        return result


async def run(argv: list[str], env: Mapping[str, str]) -> dict[str, Any]:
    """Run ``argv`` (no shell) in its own process group; ``{exit, stdout, stderr}``. If this
    coroutine is cancelled (the runner's timeout), the whole group is killed first."""
    full_env = {k: os.environ[k] for k in _INHERIT if k in os.environ}
    full_env.update(env)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=full_env, start_new_session=True)
    except OSError as exc:
        raise ExecError(f"{argv[0]}: cannot start: {exc.strerror or exc}") from None
    try:
        out, err, code = await asyncio.gather(_capped(proc.stdout), _capped(proc.stderr), proc.wait())
    except BaseException:  # cancelled (timeout) or anything else: leave no process behind
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        # bounded: a grandchild that left the group may hold the pipes open long after
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.shield(proc.wait()), _REAP_S)
        raise
    return {"exit": code, "stdout": out, "stderr": err}


async def _capped(stream: asyncio.StreamReader | None) -> str:
    kept = bytearray()
    if stream is None:
        return ""
    while chunk := await stream.read(65536):
        if len(kept) < OUTPUT_CAP:
            kept += chunk[: OUTPUT_CAP - len(kept)]
    return kept.decode("utf-8", "replace")
