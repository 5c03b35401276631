"""Access control and transport security for the feed: tokens, roles, TLS, redaction.

Who may do what (docs/security.md):

* A feed server started with a ``TokenStore`` refuses, with HTTP 401 before the websocket
  upgrade, every client that does not present a known token in the ``Authorization: Bearer``
  header. Each token belongs to a user name and a role.
* Roles are ordered: ``viewer`` < ``commander``. A viewer sees everything the feed sends;
  only a commander may send commands (execute or roll back a plan, inject or clear a fault).
  The server checks this itself: a console that hides buttons is a convenience, not the
  control.
* ``publisher`` is beside that ladder, not on it: the token of a machine that posts to a
  gateway's HTTP receivers (Alertmanager, a CI job). Only a publisher may post there; on the
  feed a publisher may do what a viewer may, no more, so a leaked CI token cannot run a plan.
* A server without a token store (the demo, tests) gives loopback clients the commander role
  and everyone else the viewer role, and says so in its log at warning level.

Tokens are secrets and are treated that way here: the server keeps only their SHA-256 digests
and compares them with ``hmac.compare_digest``; the tokens file holds digests only (``warroom
token new`` prints a new token once); a client reads its token from a file or the
``WARROOM_TOKEN`` variable, never from the command line (``ps`` shows arguments), and sends it
in a header, never in the URL (URLs are logged). ``Secret`` keeps a token out of reprs,
``redact()`` and ``RedactingLogger`` keep it out of logs (the websockets library logs request
headers at debug level), and a client refuses to send a token unencrypted (``ws://``) to
anything but loopback.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

#: Environment variables a client reads when it is given no credentials explicitly.
ENV_TOKEN = "WARROOM_TOKEN"
ENV_CA = "WARROOM_CA"

#: Generated tokens start with this, so that ``redact()`` and secret scanners can spot them.
TOKEN_PREFIX = "wr_"
_TOKEN_CHARS = re.compile(r"[\x21-\x7e]{16,512}")  # visible ASCII: safe in an HTTP header
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")


class AuthError(Exception):
    """A tokens file, token file or certificate that cannot be used; the message says why.

    Messages never contain a token.
    """


class Role(str, enum.Enum):
    """What a connection may do. ``viewer`` < ``commander`` are ordered (a commander may do what
    a viewer may); ``publisher`` stands beside them (see ``role_allows``)."""

    VIEWER = "viewer"  # watch everything, change nothing
    COMMANDER = "commander"  # also execute and roll back plans, inject and clear faults
    PUBLISHER = "publisher"  # post alerts and change markers to the receivers; a viewer on the feed


#: Rank on the feed. A publisher ranks with a viewer: it may watch, never command.
_RANK = {Role.VIEWER: 0, Role.COMMANDER: 1, Role.PUBLISHER: 0}

#: The role each command action needs. An action not listed needs ``COMMANDER`` (deny by default).
ACTION_ROLES: Mapping[str, Role] = {
    "execute_plan": Role.COMMANDER,
    "rollback_plan": Role.COMMANDER,
    "inject_fault": Role.COMMANDER,
    "clear_fault": Role.COMMANDER,
    # A dry run reads the real system (rules, routes) the plan would change: commander only.
    "preview_plan": Role.COMMANDER,
    # Incident work (protocol 1.4) changes what every wall shows and pages: the console's
    # panels offer it to whoever runs the room, never to a viewer.
    "ack_alert": Role.COMMANDER,
    "ack_incident": Role.COMMANDER,
    "set_owner": Role.COMMANDER,
    "add_note": Role.COMMANDER,
    "add_action_item": Role.COMMANDER,
    "silence": Role.COMMANDER,
    "unsilence": Role.COMMANDER,
    # A drill window (protocol 1.6) changes what every wall shows and what MTTR counts.
    "start_drill": Role.COMMANDER,
    "end_drill": Role.COMMANDER,
}


def required_role(action: str) -> Role:
    """The role a command ``action`` needs."""
    return ACTION_ROLES.get(action, Role.COMMANDER)


def role_allows(role: str, needed: Role) -> bool:
    """Whether ``role`` (a name, as sent in ``hello.role``) is at least ``needed``.

    An unknown role name allows nothing beyond what a viewer may do: least privilege.
    ``PUBLISHER`` is not a rank but a capability of its own: only a publisher has it (a
    commander is not a publisher, and a publisher is no more than a viewer on the feed).
    """
    try:
        have = Role(role)
    except ValueError:
        return needed is Role.VIEWER
    if needed is Role.PUBLISHER:
        return have is Role.PUBLISHER
    return _RANK[have] >= _RANK[needed]


def parse_role(text: str) -> Role:
    """A role from its name; ``AuthError`` listing the roles otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise AuthError(f"unknown role {text!r} (roles: {', '.join(r.value for r in Role)})") from None


@dataclass(frozen=True)
class Identity:
    """Who is on a connection: the user name the token belongs to, and its role.

    ``authenticated`` is False on a server without tokens; ``user`` is then empty.
    """

    user: str
    role: Role
    authenticated: bool = True

    def may(self, action: str) -> bool:
        """Whether this identity may send a command with ``action``."""
        return role_allows(self.role.value, required_role(action))

    @property
    def label(self) -> str:
        """For logs: the user name, or who the unauthenticated peer is."""
        return self.user if self.authenticated else f"unauthenticated {self.role.value}"


class Secret:
    """A token held so that it cannot be printed by accident: ``repr``/``str`` hide it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The token itself: for the ``Authorization`` header, nothing else."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('[redacted]')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(hash_token(self._value))

    def __reduce__(self) -> Any:  # no pickling a secret into some cache by accident
        raise TypeError("a Secret cannot be pickled")


# -- tokens -----------------------------------------------------------------------------
def generate_token() -> str:
    """A new random token: ``wr_`` and 256 bits, URL-safe base64 (46 characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 digest of a token, as hex: what the tokens file and the server keep."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_token_text(token: str, where: str) -> str:
    """``token`` stripped, if it can be sent in a header; ``AuthError`` (without it) otherwise."""
    token = token.strip()
    if not token:
        raise AuthError(f"{where}: the token is empty")
    if not _TOKEN_CHARS.fullmatch(token):
        raise AuthError(f"{where}: a token is 16 to 512 visible ASCII characters on one line "
                        "(no spaces); this one is not (it is not shown)")
    return token


@dataclass(frozen=True)
class TokenEntry:
    """One line of a tokens file: a user name, a role and the SHA-256 digest of the token."""

    name: str
    role: Role
    digest: bytes

    def __repr__(self) -> str:  # the digest is not a secret, but it is nobody's business either
        return f"TokenEntry(name={self.name!r}, role={self.role.value!r})"

    def line(self) -> str:
        """The entry as a line of the tokens file."""
        return f"{self.name}  {self.role.value}  sha256:{self.digest.hex()}"


TOKENS_FILE_HEADER = """\
# Warroom feed tokens (docs/security.md). One token per line:
#     NAME  ROLE  sha256:HEX
# ROLE is viewer, commander or publisher. Only the SHA-256 digest of each token is kept here:
# `warroom token new --name NAME --role ROLE --file THIS-FILE` adds a line and prints
# the token once. Delete a line to revoke a token (then restart the feed).
"""


class TokenStore:
    """The tokens a feed server accepts, by digest; ``authenticate()`` maps a token to an identity."""

    def __init__(self, entries: Iterable[TokenEntry]) -> None:
        self._entries = tuple(entries)
        seen: set[bytes] = set()
        for e in self._entries:
            if e.digest in seen:
                raise AuthError(f"the same token is listed twice (second time for {e.name!r})")
            seen.add(e.digest)

    @classmethod
    def load(cls, path: str | Path) -> "TokenStore":
        """Read a tokens file; ``AuthError`` with the file, line and problem if it is wrong or empty."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AuthError(f"cannot read tokens file {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise AuthError(f"tokens file {path} is not UTF-8 text") from None
        entries = parse_tokens_file(text, str(path))
        if not entries:
            raise AuthError(f"tokens file {path} lists no tokens; add one with "
                            f"`warroom token new --name NAME --role viewer|commander|publisher --file {path}`")
        try:
            return cls(entries)
        except AuthError as exc:
            raise AuthError(f"tokens file {path}: {exc}") from None

    @classmethod
    def from_tokens(cls, tokens: Mapping[str, tuple[str, str | Role]]) -> "TokenStore":
        """A store from ``{token: (name, role)}`` (tests, embedding); only digests are kept."""
        return cls(TokenEntry(_check_name(name, "token"), parse_role(str(getattr(role, "value", role))),
                              bytes.fromhex(hash_token(token)))
                   for token, (name, role) in tokens.items())

    def authenticate(self, token: str | None) -> Identity | None:
        """The identity ``token`` belongs to, or None. Constant time in the token's content."""
        if not token:
            return None
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        found: TokenEntry | None = None
        for entry in self._entries:  # no early exit: every entry is compared
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        return None if found is None else Identity(found.name, found.role)

    @property
    def names(self) -> list[str]:
        """User names with a token (a name may have several)."""
        return sorted({e.name for e in self._entries})

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"TokenStore({len(self)} tokens)"


def _check_name(name: str, where: str) -> str:
    if not _NAME.fullmatch(name):
        raise AuthError(f"{where}: user name {name!r} must be 1-64 letters, digits or . _ @ + - "
                        "(starting with a letter or digit)")
    return name


def parse_tokens_file(text: str, source: str = "tokens file") -> list[TokenEntry]:
    """The entries of a tokens file's text. Errors name the line, never echo a token."""
    entries: list[TokenEntry] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source} line {n}"
        fields = line.split()
        if len(fields) != 3:
            raise AuthError(f"{where}: expected NAME ROLE sha256:HEX ({len(fields)} fields found)")
        name, role, digest = fields
        match = _DIGEST.fullmatch(digest.lower())
        if match is None:
            hint = (" — it looks like a token itself; store only its digest (`warroom token new` does)"
                    if digest.startswith(TOKEN_PREFIX) else "")
            raise AuthError(f"{where}: the third field must be sha256: and 64 hex digits{hint}")
        entries.append(TokenEntry(_check_name(name, where), _role_at(role, where), bytes.fromhex(match.group(1))))
    return entries


def _role_at(text: str, where: str) -> Role:
    try:
        return parse_role(text)
    except AuthError as exc:
        raise AuthError(f"{where}: {exc}") from None


def add_token(path: str | Path, name: str, role: str | Role) -> str:
    """Create a token for ``name`` with ``role``, append its digest to the tokens file, return it.

    The file is created (mode 0600, with a comment header) if missing and checked before
    anything is written. The token is returned once and stored nowhere.
    """
    path = Path(path)
    entry_role = parse_role(str(getattr(role, "value", role)))
    _check_name(name, "token new")
    existing = ""
    if path.exists():
        try:
            existing = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"cannot read tokens file {path}: {exc}") from None
        parse_tokens_file(existing, str(path))  # do not append to a file that is already broken
    token = generate_token()
    entry = TokenEntry(name, entry_role, bytes.fromhex(hash_token(token)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            if not existing:
                f.write(TOKENS_FILE_HEADER)
            elif not existing.endswith("\n"):
                f.write("\n")
            f.write(entry.line() + "\n")
    except OSError as exc:
        raise AuthError(f"cannot write tokens file {path}: {exc.strerror or exc}") from None
    return token


def read_token_file(path: str | Path) -> Secret:
    """The token held in ``path`` (a file with the token on one line).

    Warns in the log when others may read the file (as ssh does for keys).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except OSError as exc:
        raise AuthError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise AuthError(f"token file {path} is not UTF-8 text") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if len(lines) != 1:
        raise AuthError(f"token file {path} must hold one token on one line ({len(lines)} lines found)")
    if os.name == "posix" and mode & 0o077:
        log.warning("token file %s can be read by other users; chmod 600 %s", path, path)
    return Secret(check_token_text(lines[0], f"token file {path}"))


def parse_bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header value, or None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


# -- transport --------------------------------------------------------------------------
def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine."""
    if not host:
        return False
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)
    return (mapped or addr).is_loopback


def server_ssl_context(cert: str | Path, key: str | Path | None = None) -> ssl.SSLContext:
    """A TLS server context from a PEM certificate (chain) and its private key (TLS 1.2 or later).

    ``key`` may be omitted when the certificate file also holds the key.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(str(cert), None if key is None else str(key))
    except FileNotFoundError as exc:
        raise AuthError(f"TLS: no such file: {exc.filename}") from None
    except (ssl.SSLError, OSError) as exc:
        raise AuthError(f"TLS: cannot load certificate {cert}{'' if key is None else f' and key {key}'}: "
                        f"{getattr(exc, 'reason', None) or exc}") from None
    return ctx


def client_ssl_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """A TLS client context that verifies the server's certificate and host name.

    ``ca_file``: PEM file of the certificate authorities to trust (or the feed's self-signed
    certificate); None trusts the system's authorities.
    """
    try:
        return ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
    except FileNotFoundError:
        raise AuthError(f"TLS: no such CA file: {ca_file}") from None
    except (ssl.SSLError, OSError) as exc:
        raise AuthError(f"TLS: cannot load CA file {ca_file}: {getattr(exc, 'reason', None) or exc}") from None


def describe_tls_failure(exc: ssl.SSLCertVerificationError) -> str:
    """Why a server's certificate was refused, and what to do about it."""
    why = (exc.verify_message or str(exc.reason or exc)).rstrip(".")
    if exc.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
        return f"the feed's TLS certificate is for another name ({why}); use the name it was made for"
    return f"the feed's TLS certificate is not trusted ({why}); give its CA with --ca FILE"


def redact_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to log or show."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid address>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


@dataclass(frozen=True)
class Credentials:
    """What a client presents to a feed: an optional token and, for ``wss://``, the CAs it trusts."""

    token: Secret | None = None
    ca_file: Path | None = None

    @classmethod
    def resolve(cls, token_file: str | Path | None = None, ca_file: str | Path | None = None,
                env: Mapping[str, str] | None = None) -> "Credentials":
        """From a token file if given, else ``$WARROOM_TOKEN``; a CA file if given, else ``$WARROOM_CA``."""
        env = os.environ if env is None else env
        if token_file is not None:
            token: Secret | None = read_token_file(token_file)
        elif env.get(ENV_TOKEN, "").strip():
            token = Secret(check_token_text(env[ENV_TOKEN], f"${ENV_TOKEN}"))
        else:
            token = None
        ca = ca_file if ca_file is not None else (env.get(ENV_CA) or None)
        if ca is not None and not Path(ca).is_file():
            raise AuthError(f"TLS: no such CA file: {ca}")
        return cls(token, None if ca is None else Path(ca))

    def headers(self) -> dict[str, str]:
        """HTTP headers for the websocket upgrade request."""
        return {} if self.token is None else {"Authorization": f"Bearer {self.token.reveal()}"}

    def ssl_context(self, url: str) -> ssl.SSLContext | None:
        """The TLS context for ``url``: None for ``ws://``."""
        if not url.lower().startswith("wss://"):
            return None
        return client_ssl_context(self.ca_file)

    def transport_problem(self, url: str) -> str | None:
        """Why this token must not be sent to ``url`` (clear text off this machine), or None."""
        if self.token is None or not url.lower().startswith("ws://"):
            return None
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None  # the websocket library reports a bad address better
        if is_loopback(host):
            return None
        return (f"refusing to send the token unencrypted to {redact_url(url)}: "
                "use wss:// (start the feed with --cert and --key)")


_default_credentials: Credentials | None = None


def set_default_credentials(credentials: Credentials | None) -> None:
    """Credentials for clients created without any (the CLI sets them from its options)."""
    global _default_credentials
    _default_credentials = credentials


def default_credentials() -> Credentials:
    """Those set with ``set_default_credentials``, else from ``$WARROOM_TOKEN`` and ``$WARROOM_CA``."""
    return _default_credentials if _default_credentials is not None else Credentials.resolve()


# -- keeping tokens out of logs ---------------------------------------------------------
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s,;\"']+")
_TOKEN_LIKE = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_\-]{8,}")


def redact(text: str, *secrets_: str | Secret | None) -> str:
    """``text`` with bearer credentials, ``wr_…`` tokens and the given secrets replaced by ``[redacted]``."""
    for s in secrets_:
        value = s.reveal() if isinstance(s, Secret) else s
        if value:
            text = text.replace(value, "[redacted]")
    text = _BEARER.sub(r"\1\2[redacted]", text)
    return _TOKEN_LIKE.sub("[redacted]", text)


class RedactingLogger(logging.LoggerAdapter):
    """A logger for the websockets library that redacts credentials in its messages.

    websockets logs every request header at debug level, ``Authorization`` included.
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:  # noqa: D102
        if not self.isEnabledFor(level):
            return
        args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        if isinstance(msg, str):
            msg = redact(msg)
        kwargs.setdefault("stacklevel", 2)  # report the library's line, not this one
        self.logger.log(level, msg, *args, **kwargs)


__all__ = [
    "ACTION_ROLES", "AuthError", "Credentials", "ENV_CA", "ENV_TOKEN", "Identity", "RedactingLogger", "Role",
    "Secret", "TokenEntry", "TokenStore", "add_token", "client_ssl_context", "default_credentials", "describe_tls_failure",
    "generate_token", "hash_token", "is_loopback", "parse_bearer", "parse_role", "parse_tokens_file",
    "read_token_file", "redact", "redact_url", "required_role", "role_allows", "server_ssl_context",
    "set_default_credentials",
]
