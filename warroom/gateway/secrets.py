"""The gateway's secrets file: names -> values (tokens, passwords) the site file refers to by name.

    # secrets.yaml  (chmod 600: readable by the gateway's user only)
    prometheus-token: eyJhbGciOi...
    k8s-token: eyJhbGciOiJSUzI1NiIsImtpZCI6...
    ops-api-key: 3f6c1d...

The site file never holds a secret: it names one (``bearer_secret: prometheus-token``) and the
gateway reads the value here. Values never reach a log, an error message or a ``repr``:
``Secrets.redact`` blanks them out of any text before it is shown.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

#: The largest secrets file read.
MAX_SECRETS_BYTES = 256 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")


class SecretsError(ValueError):
    """A secrets file that cannot be used. The message names lines and names, never values."""


class Secrets:
    """Secret values by name. ``repr`` and ``str`` show the names only."""

    __slots__ = ("_values", "path")

    def __init__(self, values: Mapping[str, str] | None = None, path: Path | None = None) -> None:
        self._values = dict(values or {})
        self.path = path

    def get(self, name: str) -> str:
        """The value of secret ``name``; ``KeyError`` naming only the name when there is none."""
        try:
            return self._values[name]
        except KeyError:
            where = f" in {self.path}" if self.path is not None else " (no secrets file given)"
            raise KeyError(f"no secret named {name!r}{where}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def names(self) -> tuple[str, ...]:
        """The secrets' names, sorted."""
        return tuple(sorted(self._values))

    def redact(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***`` (longest first, so a value that
        contains another is blanked whole)."""
        if not isinstance(text, str):
            text = str(text)
        for value in sorted(set(self._values.values()), key=len, reverse=True):
            if value:
                text = text.replace(value, "***")
        return text

    def __repr__(self) -> str:
        return f"Secrets(names={list(self.names())!r})"

    __str__ = __repr__

    def __reduce__(self):  # pickling would write the values somewhere: refuse
        raise TypeError("Secrets cannot be pickled")


def load_secrets(path: str | Path | None) -> Secrets:
    """Read a secrets file (a YAML mapping of name -> text); ``None`` gives no secrets.

    ``SecretsError`` on a missing or broken file; a warning is logged when the file can be
    read by its group or by everyone (the values stay usable: refusing would stop a gateway
    over a ``chmod``)."""
    if path is None:
        return Secrets()
    p = Path(path)
    try:
        st = p.stat()
        if not stat.S_ISREG(st.st_mode):
            raise SecretsError(f"{p}: not a file")
        if st.st_size > MAX_SECRETS_BYTES:
            raise SecretsError(f"{p}: too large for a secrets file ({st.st_size:,} bytes)")
        data = p.read_bytes()[: MAX_SECRETS_BYTES + 1]
    except OSError as exc:
        raise SecretsError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("secrets file %s is open to other users (mode %o): chmod 600 %s",
                    p, stat.S_IMODE(st.st_mode), p)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretsError(f"{p}: not UTF-8 text") from None
    return Secrets(_parse(text, str(p)), p)


def _parse(text: str, name: str) -> dict[str, str]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        # Only the position: the YAML library's message may quote the text, i.e. a secret.
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise SecretsError(f"{where}: not valid YAML") from None
    except RecursionError:
        raise SecretsError(f"{name}: not valid YAML (nested too deeply)") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise SecretsError(f"{name}:{root.start_mark.line + 1}: a secrets file is `name: value` lines")
    values: dict[str, str] = {}
    problems: list[str] = []
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            problems.append(f"{name}:{line}: a secret's name is letters, digits, _ . : -")
            continue
        if key in values:
            problems.append(f"{name}:{line}: {key}: defined twice")
            continue
        # A value must be text: a number or date would be changed by YAML (0123 -> 83).
        if not isinstance(value_node, yaml.ScalarNode) or value_node.tag != "tag:yaml.org,2002:str":
            problems.append(f"{name}:{line}: {key}: must be text (quote it: \"...\")")
            continue
        if not value_node.value:
            problems.append(f"{name}:{line}: {key}: is empty")
            continue
        values[key] = value_node.value
    if problems:
        raise SecretsError("\n".join(problems))
    return values


def missing(secrets: Secrets, names: Iterable[str]) -> list[str]:
    """The names of ``names`` the secrets do not hold, sorted."""
    return sorted({n for n in names if n not in secrets})


__all__ = ["MAX_SECRETS_BYTES", "Secrets", "SecretsError", "load_secrets", "missing"]
