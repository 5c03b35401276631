"""The user's configuration file (warroom.core.settings.config) and how the ``warroom`` command uses it."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from warroom.core.settings import config as cfg
from warroom.core.settings import paths


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private HOME and XDG folders: nothing here touches the real home."""
    for var in ("WARROOM_CONFIG", "WARROOM_RESOURCES", "WARROOM_LAYOUTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    paths.set_recordings_dir(None)
    yield tmp_path
    paths.set_recordings_dir(None)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- reading ------------------------------------------------------------------------------

def test_the_default_file_sets_nothing_and_parses_cleanly():
    c = cfg.parse_config(cfg.default_config_text(), source="config.yaml")
    assert c.values == {} and c.problems == []


def test_every_option_of_the_default_file_is_documented_and_its_example_valid(tmp_path):
    text = cfg.default_config_text()
    for option in cfg.OPTIONS:
        assert f"# {option.name}: {option.example}" in text
        assert f"# {option.doc}" in text
    uncommented = re.sub(r"^# (\w+: )", r"\1", text, flags=re.M)
    c = cfg.parse_config(uncommented, source="config.yaml", base_dir=tmp_path)
    assert c.problems == []
    assert set(c.values) == {o.name for o in cfg.OPTIONS}


def test_values_are_typed_and_relative_paths_are_relative_to_the_file(tmp_path):
    c = cfg.parse_config(
        "layout: commander\ntheme: light\nlang: zh_CN\nscreen: 1\nfullscreen: true\n"
        "feed_url: wss://feed:8765\nuser: 值班长\nrules: rules/mine.yaml\nnotify: /etc/warroom/notify.yaml\n"
        "recordings_dir: ~/rec\nlog_level: debug\n",
        source="c.yaml", base_dir=tmp_path)
    assert c.problems == []
    assert c.values["layout"] == "commander"
    assert c.values["screen"] == 1 and c.values["fullscreen"] is True
    assert c.values["user"] == "值班长"
    assert c.values["rules"] == tmp_path / "rules" / "mine.yaml"
    assert c.values["notify"] == Path("/etc/warroom/notify.yaml")
    assert c.values["recordings_dir"] == Path("~/rec").expanduser()
    assert c.get("log_level") == "debug" and c.get("plans") is None


def test_a_layout_file_is_relative_to_the_config_but_a_name_stays_a_name(tmp_path):
    assert cfg.parse_config("layout: engineer\n", base_dir=tmp_path).values["layout"] == "engineer"
    assert cfg.parse_config("layout: walls/big.json\n", base_dir=tmp_path).values["layout"] == \
        str(tmp_path / "walls" / "big.json")


def test_malformed_yaml_names_the_file_and_line_and_sets_nothing():
    c = cfg.parse_config("layout: commander\ntheme: [dark\nlang: en\n", source="/x/config.yaml")
    assert c.values == {}
    assert len(c.problems) == 1
    assert re.match(r"/x/config\.yaml:\d+: not valid YAML", c.problems[0])
    assert "using the defaults" in c.problems[0]


def test_an_unknown_option_is_reported_with_its_line_and_a_suggestion_and_the_rest_is_kept():
    c = cfg.parse_config("# comment\nlayot: commander\ntheme: light\n", source="config.yaml")
    assert c.values == {"theme": "light"}
    assert c.problems == [
        "config.yaml:2: unknown option 'layot' (did you mean 'layout'?); known: "
        + ", ".join(o.name for o in cfg.OPTIONS)]


@pytest.mark.parametrize("line, what", [
    ("theme: blue", "expected one of dark, light, got 'blue'"),
    ("lang: fr", "expected one of en, zh_CN"),
    ("screen: -1", "expected a whole number"),
    ("screen: two", "expected a whole number"),
    ("fullscreen: sometimes", "expected true or false"),
    ("user: [a, b]", "expected text"),
    ("log_level: loud", "expected one of debug, info, warning"),
])
def test_a_value_of_the_wrong_kind_is_reported_on_its_line_and_ignored(line, what):
    c = cfg.parse_config(f"layout: commander\n{line}\n", source="config.yaml")
    assert c.values == {"layout": "commander"}
    assert len(c.problems) == 1
    assert c.problems[0].startswith("config.yaml:2: ") and what in c.problems[0] and "(ignored)" in c.problems[0]


def test_an_empty_value_means_unset_and_a_repeated_option_is_reported():
    c = cfg.parse_config("layout:\ntheme: dark\ntheme: light\n", source="c.yaml")
    assert c.values == {"theme": "light"}
    assert c.problems == ["c.yaml:3: theme is set twice; the last one counts"]


def test_a_file_that_is_not_a_mapping_is_reported():
    c = cfg.parse_config("- layout\n- theme\n", source="c.yaml")
    assert c.values == {} and c.problems[0].startswith("c.yaml:1: expected option: value lines")


def test_load_config_never_raises(tmp_path):
    missing = cfg.load_config(tmp_path / "none.yaml")
    assert missing.values == {} and missing.problems == [] and not missing.exists
    explicit = cfg.load_config(tmp_path / "none.yaml", missing_ok=False)
    assert explicit.problems == [f"{tmp_path / 'none.yaml'}: no such file (using the defaults)"]
    a_dir = cfg.load_config(tmp_path)
    assert a_dir.problems and "cannot read" in a_dir.problems[0]
    binary = write(tmp_path / "bin.yaml", "")
    binary.write_bytes(b"\xff\xfe\x00layout")
    assert "cannot read" in cfg.load_config(binary).problems[0]
    good = cfg.load_config(write(tmp_path / "c.yaml", "user: amy\n"))
    assert good.exists and good.path == tmp_path / "c.yaml" and good.values == {"user": "amy"}


def test_which_file_is_read_explicit_then_environment_then_the_users_folder(home, monkeypatch):
    assert cfg.config_path() == home / "xdg-config" / "warroom" / "config.yaml"
    monkeypatch.setenv("WARROOM_CONFIG", str(home / "env.yaml"))
    assert cfg.config_path() == home / "env.yaml"
    assert cfg.config_path(home / "cli.yaml") == home / "cli.yaml"


def test_the_default_file_is_written_once_and_never_overwritten(tmp_path):
    target = tmp_path / "deep" / "config.yaml"
    assert cfg.ensure_config_file(target) is True
    assert target.read_text(encoding="utf-8") == cfg.default_config_text()
    target.write_text("user: amy\n", encoding="utf-8")
    assert cfg.ensure_config_file(target) is False
    assert target.read_text(encoding="utf-8") == "user: amy\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["config.yaml"]  # no temporary left


# --- the command's defaults ---------------------------------------------------------------

def cli_parser(config_text: str, base: Path):
    from warroom.cli import _parser

    parser = _parser()
    c = cfg.parse_config(config_text, source="c.yaml", base_dir=base)
    assert c.problems == []
    cfg.apply_to_parser(parser, c)
    return parser


def test_the_configuration_gives_the_console_its_defaults(home):
    parser = cli_parser("layout: commander\ntheme: light\nlang: zh_CN\nrules: r.yaml\nnotify: n.yaml\n"
                        "user: amy\nfeed_url: ws://feed:1\nfullscreen: true\nscreen: 1\n", home)
    args = parser.parse_args(["console"])  # --url is no longer required: the file gives it
    assert (args.url, args.layout, args.theme, args.lang, args.user) == ("ws://feed:1", "commander", "light",
                                                                          "zh_CN", "amy")
    assert args.rules == home / "r.yaml" and args.notify == home / "n.yaml"
    assert args.fullscreen is True and args.screen == 1
    # the demo and the recorder take the same options from the file
    demo = parser.parse_args(["demo"])
    assert (demo.layout, demo.user, demo.rules, demo.fullscreen) == ("commander", "amy", home / "r.yaml", True)
    # a snapshot takes the look (layout, theme, language) but not the wall's screen
    snap = parser.parse_args(["snapshot", "--out", "x.png"])
    assert (snap.layout, snap.theme, snap.lang, snap.fullscreen, snap.screen) == ("commander", "light", "zh_CN",
                                                                                  False, None)
    assert parser.parse_args(["record", "--db", "x.duckdb"]).url == "ws://feed:1"


def test_the_command_line_wins_over_the_configuration(home):
    parser = cli_parser("layout: commander\ntheme: light\nuser: amy\nfeed_url: ws://feed:1\n", home)
    args = parser.parse_args(["console", "--url", "ws://other:2", "--layout", "engineer", "--theme", "dark",
                              "--user", "bob"])
    assert (args.url, args.layout, args.theme, args.user) == ("ws://other:2", "engineer", "dark", "bob")


def test_without_a_configuration_the_built_in_defaults_stay(home):
    from warroom.cli import _parser

    parser = _parser()
    cfg.apply_to_parser(parser, cfg.Config())
    args = parser.parse_args(["demo"])
    assert (args.layout, args.theme, args.lang, args.user, args.rules) == ("command-centre", None, None, "", None)
    console = parser.parse_args(["console"])  # no address: the console asks (a start dialog)
    assert console.url is None and console.start_with == "ask"
    assert paths.recordings_dir() == home / "xdg-data" / "warroom" / "recordings"


def test_warroom_paths_shows_the_files_and_folders(home, capsys):
    from warroom.cli import main

    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    rows = dict(re.findall(r"^(\w[\w ]*?)\s{2,}(\S+)", out, re.M))
    assert rows["config file"] == str(home / "xdg-config" / "warroom" / "config.yaml")
    assert rows["config dir"] == str(home / "xdg-config" / "warroom")
    assert rows["rules dir"] == str(home / "xdg-config" / "warroom" / "rules")
    assert rows["plans dir"] == str(home / "xdg-config" / "warroom" / "plans")
    assert rows["recordings dir"] == str(home / "xdg-data" / "warroom" / "recordings")
    assert rows["logs dir"] == str(home / "xdg-state" / "warroom" / "log")
    assert rows["resources"] == str(paths.resource_dir())
    assert rows["layouts"] == str(paths.layouts_root())
    assert "not created yet" in out
    assert not (home / "xdg-config").exists()  # `paths` only looks


def test_config_option_chooses_the_file_and_its_recordings_folder(home, capsys):
    from warroom.cli import main

    conf = write(home / "wall" / "wall1.yaml", "recordings_dir: rec\n")
    assert main(["--config", str(conf), "paths"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^config file\s+{re.escape(str(conf))}$", out, re.M)
    assert re.search(rf"^recordings dir\s+{re.escape(str(home / 'wall' / 'rec'))}$", out, re.M)


def test_a_broken_configuration_is_reported_and_the_command_still_runs(home, capsys):
    from warroom.cli import main

    write(home / "xdg-config" / "warroom" / "config.yaml", "theme: blue\nlayot: x\n")
    assert main(["paths"]) == 0
    err = capsys.readouterr().err
    assert "config.yaml:1: theme: expected one of dark, light" in err
    assert "config.yaml:2: unknown option 'layot'" in err
    assert main(["--config", str(home / "missing.yaml"), "paths"]) == 0
    assert "missing.yaml: no such file (using the defaults)" in capsys.readouterr().err


@pytest.mark.slow
def test_the_first_start_writes_the_commented_configuration_and_a_log(home, capsys):
    """``warroom demo`` (headless here: no Qt in core tests) is a start: the default file is
    written, the log file gets the start, and the configured user and recordings folder apply."""
    from warroom.cli import main

    config_file = home / "xdg-config" / "warroom" / "config.yaml"
    assert main(["demo", "--headless", "--quiet", "--duration", "1", "--speed", "60"]) == 0
    assert config_file.read_text(encoding="utf-8") == cfg.default_config_text()
    assert "wrote the default configuration" in capsys.readouterr().err
    log_file = home / "xdg-state" / "warroom" / "log" / cfg.LOG_FILE_NAME
    assert re.search(r"INFO warroom: warroom \S+ .*started; configuration " + re.escape(str(config_file)),
                     log_file.read_text(encoding="utf-8"))
    assert list((home / "xdg-data" / "warroom" / "recordings").glob("demo-*.duckdb"))
    # the next start reads the file the user edited, and writes no new one
    config_file.write_text("recordings_dir: ../../rec\n", encoding="utf-8")
    assert main(["demo", "--headless", "--quiet", "--duration", "1"]) == 0
    assert "wrote the default configuration" not in capsys.readouterr().err
    assert list((home / "rec").glob("demo-*.duckdb"))


# --- the log file ---------------------------------------------------------------------------

def test_the_log_file_takes_info_while_stderr_keeps_its_level(tmp_path, capsys):
    root = logging.getLogger()
    stderr = logging.StreamHandler()
    before_level = root.level
    root.addHandler(stderr)
    root.setLevel(logging.WARNING)
    try:
        handler = cfg.start_file_logging(cfg.Config(values={"log_level": "info"}), tmp_path / "log")
        assert handler is not None
        logging.getLogger("warroom.test").info("an info line")
        logging.getLogger("warroom.test").warning("a warning line")
        handler.flush()
        text = (tmp_path / "log" / cfg.LOG_FILE_NAME).read_text(encoding="utf-8")
        assert "INFO warroom.test: an info line" in text and "WARNING warroom.test: a warning line" in text
        err = capsys.readouterr().err
        assert "a warning line" in err and "an info line" not in err
        cfg.stop_file_logging(handler)
        assert handler not in root.handlers
        assert root.level == logging.WARNING and stderr.level == logging.NOTSET
    finally:
        root.removeHandler(stderr)
        root.setLevel(before_level)


def test_an_unwritable_log_folder_is_reported_not_raised(tmp_path):
    blocker = write(tmp_path / "file", "not a folder")
    said = []
    assert cfg.start_file_logging(cfg.Config(), blocker / "log", report=said.append) is None
    assert said and "cannot write the log file" in said[0]
