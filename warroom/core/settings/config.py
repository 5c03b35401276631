"""The user's configuration file: defaults for the ``warroom`` command's options.

A YAML mapping of option names to values (``config.yaml`` in ``paths.config_dir()``;
``--config FILE`` or ``WARROOM_CONFIG`` choose another). Every option is optional: what the
file does not set keeps the built-in default, and an option given on the command line wins
over the file. ``default_config_text()`` is the commented file written at first start.

A broken file never stops the console: ``load_config`` returns the options it could read
and a list of problems, each as ``FILE:LINE: what`` (a YAML syntax error, an unknown option,
a value of the wrong kind), for the caller to report. Relative paths in the file are
relative to the file's folder; ``~`` is the home folder.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from warroom.core.settings import paths, trace_links

ENV_CONFIG = "WARROOM_CONFIG"
LOG_FILE_NAME = "warroom.log"


@dataclass(frozen=True)
class Option:
    """One option of the configuration file."""

    name: str
    kind: str  # "str", "path", "bool", "int", "number", "choice"
    example: str  # as written, commented out, in the default file
    doc: str
    dest: str | None = None  # the command-line option it gives a default to (argparse dest)
    choices: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()  # only these sub-commands take it (empty: every one with the option)


OPTIONS: tuple[Option, ...] = (
    Option("layout", "str", "command-centre",
           "Window layout: command-centre, commander, engineer, or a layout file (.json).", dest="layout"),
    Option("theme", "choice", "dark", "Colour theme: dark or light (default: the layout's).", dest="theme",
           choices=("dark", "light")),
    Option("lang", "choice", "zh_CN", "Interface language: en or zh_CN (default: the system's).", dest="lang",
           choices=("en", "zh_CN")),
    Option("screen", "int", "1", "Put the console on this screen (0, 1, ...).", dest="screen",
           commands=("console", "demo")),
    Option("fullscreen", "bool", "true", "Start full screen (F11 toggles).", dest="fullscreen",
           commands=("console", "demo")),
    Option("scale", "number", "2",
           "Wall scale: how much bigger than at 1920x1080 to draw (default: from the window's size).",
           dest="scale", commands=("console", "demo", "replay")),
    Option("wall", "bool", "true",
           "Wall mode (full screen, no dock title bars or buttons, no filters or engineering counters).",
           dest="wall", commands=("console", "demo")),
    Option("rotate", "str", "command-centre:60s,commander:30s",
           "Kiosk rotation of these layouts, each for its own time (LAYOUT[:TIME],... a layout without a time: 30s).",
           dest="rotate", commands=("console", "demo")),
    Option("follow_incident", "str", "commander",
           "When an incident opens, the wall shows this layout until the incident is mitigated.",
           dest="follow_incident", commands=("console", "demo")),
    Option("feed_url", "str", "wss://feed.example.com:8765",
           "The feed the console, the recorder and one-shot commands connect to.", dest="url"),
    Option("start_with", "choice", "demo",
           "Without feed_url, `warroom console` (the menu entry) starts: ask (a start dialog) or demo.",
           dest="start_with", choices=("ask", "demo"), commands=("console",)),
    Option("token_file", "path", "~/.config/warroom/feed.token",
           "File holding your feed access token (keep it chmod 600).", dest="token_file"),
    Option("user", "str", "duty-commander", "Your name on acknowledgements, notes and plan decisions.",
           dest="user"),
    Option("rules", "path", "rules/my-rules.yaml",
           "Alert rules file (default: the shipped rules). Relative to this file's folder.", dest="rules"),
    Option("notify", "path", "notify.yaml",
           "Notification channels file (webhook, DingTalk, WeCom, e-mail); see docs/notifications.md.",
           dest="notify"),
    Option("plans", "path", "plans/rehearsal.yaml",
           "More contingency plans for the simulator's rehearsals (warroom sim / demo --plans).", dest="plans"),
    Option("recordings_dir", "path", "~/warroom-recordings",
           "Folder for recorded histories (DuckDB files) when --db is not given."),
    Option("store_memory_mb", "int", "128",
           "Memory the history store (DuckDB) may use for its cache, in MB.", dest="store_memory_mb",
           commands=("console", "demo", "record")),
    Option("retention_days", "int", "30",
           "Delete recorded points older than this many days (events are kept).", dest="retention_days",
           commands=("console", "demo", "record")),
    Option("retention_max_mb", "int", "20000",
           "Keep each history file under this size in MB, deleting the oldest points (events are kept).",
           dest="retention_max_mb", commands=("console", "demo", "record")),
    Option("patrol_every_h", "number", "6",
           "Robot patrol every this many hours (verdict on the feed-health panel, reports in the data folder; "
           "default: off).", dest="patrol_every", commands=("console", "demo")),
    Option("log_level", "choice", "info", "Detail of the log file: debug, info or warning.",
           choices=("debug", "info", "warning")),
    Option("trace_url", "str", "https://jaeger.example.com/trace/{trace_id}",
           "Trace viewer link for the trace ids on alerts: {trace_id} is replaced (Jaeger, Tempo; docs/alerts.md)."),
)
BY_NAME = {o.name: o for o in OPTIONS}


@dataclass
class Config:
    """Options read from a configuration file, with the problems met on the way."""

    path: Path | None = None  # the file read (None: none)
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    exists: bool = False

    def get(self, name: str, default: Any = None) -> Any:
        """The value of option ``name``, or ``default`` when the file does not set it."""
        return self.values.get(name, default)


def config_path(explicit: Path | None = None) -> Path:
    """The configuration file to read: ``explicit`` (``--config``), else ``$WARROOM_CONFIG``,
    else ``config.yaml`` in the user's configuration folder."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_CONFIG)
    return Path(env).expanduser() if env else paths.default_config_file()


def load_config(path: Path, *, missing_ok: bool = True) -> Config:
    """Read ``path``; never raises. A missing file is no problem when ``missing_ok``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems = [] if missing_ok else [f"{path}: no such file (using the defaults)"]
        return Config(path=path, problems=problems)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return Config(path=path, problems=[f"{path}: cannot read: {reason} (using the defaults)"], exists=True)
    config = parse_config(text, source=str(path), base_dir=path.parent)
    config.path = path
    config.exists = True
    return config


def parse_config(text: str, source: str = "<config>", base_dir: Path | None = None) -> Config:
    """Parse configuration text. Problems name ``source`` and the line; good options are kept."""
    import yaml

    config = Config()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "1"
        what = getattr(exc, "problem", None) or str(exc)
        config.problems.append(f"{source}:{line}: not valid YAML: {what} (using the defaults)")
        return config
    if root is None:
        return config  # empty, or only comments
    if not isinstance(root, yaml.MappingNode):
        config.problems.append(f"{source}:{root.start_mark.line + 1}: expected option: value lines "
                               "(using the defaults)")
        return config
    loader = yaml.SafeLoader("")
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        option = BY_NAME.get(key) if isinstance(key, str) else None
        if option is None:
            hint = difflib.get_close_matches(str(key), list(BY_NAME), n=1)
            config.problems.append(f"{source}:{line}: unknown option {key!r}"
                                   + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                   + f"; known: {', '.join(BY_NAME)}")
            continue
        try:
            raw = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            config.problems.append(f"{source}:{line}: {key}: {exc}")
            continue
        if raw is None:
            continue  # "layout:" with nothing after it: not set
        try:
            value = _convert(option, raw, base_dir)
        except ValueError as exc:
            config.problems.append(f"{source}:{value_node.start_mark.line + 1}: {key}: {exc} (ignored)")
            continue
        if key in config.values:
            config.problems.append(f"{source}:{line}: {key} is set twice; the last one counts")
        config.values[key] = value
    return config


def _convert(option: Option, raw: Any, base_dir: Path | None) -> Any:
    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        raise ValueError(f"expected true or false, got {raw!r}")
    if option.kind == "int":
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        raise ValueError(f"expected a whole number (0, 1, ...), got {raw!r}")
    if option.kind == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw < float("inf"):
            return float(raw)
        raise ValueError(f"expected a positive number such as 1.5, got {raw!r}")
    if isinstance(raw, (dict, list)) or isinstance(raw, bool):
        raise ValueError(f"expected text, got {raw!r}")
    text = str(raw).strip()
    if not text:
        raise ValueError("empty")
    if option.kind == "choice":
        if text not in option.choices:
            raise ValueError(f"expected one of {', '.join(option.choices)}, got {text!r}")
        return text
    if option.kind == "path":
        p = Path(text).expanduser()
        return p if p.is_absolute() or base_dir is None else base_dir / p
    if option.name == "layout" and (text.endswith(".json") or "/" in text) and base_dir is not None:
        p = Path(text).expanduser()
        return str(p if p.is_absolute() else base_dir / p)
    return text


def default_config_text() -> str:
    """The commented configuration file written at first start: every option, commented out."""
    lines = [
        "# Warroom configuration (YAML). Uncomment a line to set an option; what is not set keeps",
        "# its default, and an option given on the command line wins over this file.",
        "# Relative paths are relative to this file's folder. `warroom paths` shows where Warroom",
        "# reads and writes its files; `warroom --config FILE ...` reads another file.",
        "#",
        "# Warroom 配置文件（YAML）。去掉行首的 # 即可启用该选项；命令行参数优先于本文件。",
        "",
    ]
    for o in OPTIONS:
        lines.append(f"# {o.doc}")
        lines.append(f"# {o.name}: {o.example}")
        lines.append("")
    return "\n".join(lines)


def ensure_config_file(path: Path) -> bool:
    """Write the commented default file at ``path`` if there is none; True if written.

    Raises ``OSError`` when the folder cannot be created or written."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(default_config_text(), encoding="utf-8")
    os.replace(tmp, path)  # never leave a half-written file for the next start to trip on
    return True


def set_config_value(path: Path, name: str, value: Any) -> None:
    """Set option ``name`` to ``value`` in the file at ``path``, keeping its comments (the start
    dialog's "Remember"). The option's line is replaced, or written under its commented example,
    or appended; a missing file is written from the commented default first. Raises
    ``OSError`` when the file cannot be written, ``KeyError`` for an unknown option."""
    import json

    option = BY_NAME[name]
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = default_config_text().splitlines()
    text = json.dumps(str(value), ensure_ascii=False) if option.kind in ("str", "path", "choice") else str(value)
    line = f"{name}: {text}"
    is_set = [i for i, ln in enumerate(lines) if ln.split(":", 1)[0].strip() == name and not ln.lstrip().startswith("#")]
    example = [i for i, ln in enumerate(lines) if ln.lstrip("# ").split(":", 1)[0] == name and ln.lstrip().startswith("#")]
    if is_set:
        lines[is_set[-1]] = line
        for i in reversed(is_set[:-1]):
            del lines[i]  # set twice: the last one counted; now there is one
    elif example:
        lines.insert(example[0] + 1, line)
    else:
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def apply_to_parser(parser: argparse.ArgumentParser, config: Config) -> None:
    """Make the configuration's values the defaults of the matching command-line options, in
    ``parser`` and all its sub-commands (an option the file sets is no longer required)."""
    by_dest = {o.dest: o for o in OPTIONS if o.dest and o.name in config.values}
    for p in _parsers(parser):
        command = p.prog.split()[-1]
        for action in p._actions:
            option = by_dest.get(action.dest)
            if option is None or not action.option_strings:
                continue  # positional arguments stay as they are
            if option.commands and command not in option.commands:
                continue  # e.g. a snapshot is not put full screen on the wall's screen
            name = option.name
            value = config.values[name]
            if action.choices is not None and value not in action.choices:
                continue
            action.default = value
            action.required = False
    recordings = config.values.get("recordings_dir")
    paths.set_recordings_dir(recordings)
    trace_links.set_template(config.values.get("trace_url"))


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def start_file_logging(config: Config, directory: Path | None = None,
                       report: Callable[[str], None] | None = None) -> logging.Handler | None:
    """Log to a rotating file (``warroom.log`` in ``paths.logs_dir()``, 1 MB × 5) at the
    configuration's ``log_level`` (default info), without changing what reaches stderr.

    Returns the handler (remove it with ``stop_file_logging``), or None if the folder cannot
    be written (reported through ``report``)."""
    import logging.handlers

    directory = directory or paths.logs_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(directory / LOG_FILE_NAME, maxBytes=1_000_000,
                                                       backupCount=5, encoding="utf-8")
    except OSError as exc:
        if report:
            report(f"cannot write the log file in {directory}: {exc.strerror or exc}")
        return None
    level = getattr(logging, str(config.get("log_level", "info")).upper())
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    handler._warroom_restore = (root.level, [(h, h.level) for h in root.handlers])  # type: ignore[attr-defined]
    # stderr keeps the level it had: the handlers already there get it as their own.
    for h in root.handlers:
        if h.level == logging.NOTSET:
            h.setLevel(root.level)
    root.setLevel(min(root.level or logging.WARNING, level))
    root.addHandler(handler)
    return handler


def stop_file_logging(handler: logging.Handler | None) -> None:
    """Remove and close a handler from ``start_file_logging``; restore the levels it changed."""
    if handler is None:
        return
    root = logging.getLogger()
    root.removeHandler(handler)
    handler.close()
    level, levels = getattr(handler, "_warroom_restore", (None, []))
    for h, old in levels:
        h.setLevel(old)
    if level is not None:
        root.setLevel(level)
