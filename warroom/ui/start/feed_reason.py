"""Why the feed cannot be used, as a sentence in the UI language.

``warroom.io.feed_problem`` classifies what went wrong (refused, timeout, unknown host, TLS,
token refused, bad address, protocol…); this turns the class into a translated sentence:
"Cannot reach 127.0.0.1:18949: connection refused" / "无法连接 127.0.0.1:18949：连接被拒绝".

* ``problem_text(problem)``: the sentence of a ``FeedProblem``;
* ``reason_text(reason, url)``: the sentence for a feed client's status text
  (``FeedStatus.reason``, ``LiveView.feed_reason``), or the text itself when it names no problem.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from warroom.io.feed_problem import FeedProblem, ProblemKind, classify_reason

CONTEXT = "FeedReason"


def problem_text(problem: FeedProblem, *, with_retry: bool = True) -> str:
    """``problem`` as one sentence in the UI language (with "retrying…" when the client retries)."""
    k = ProblemKind
    target = problem.target or QCoreApplication.translate("FeedReason", "the feed")
    if problem.kind is k.BAD_URL:
        if not problem.target:
            text = QCoreApplication.translate("FeedReason", "No feed address given: enter one like ws://HOST:PORT")
        elif problem.suggestion:
            text = QCoreApplication.translate("FeedReason", "\u201c%1\u201d is not a feed address: it must start with ws:// or wss:// (did you mean %2?)").replace("%2", problem.suggestion)
        else:
            text = QCoreApplication.translate("FeedReason", "\u201c%1\u201d is not a feed address: it must look like ws://HOST:PORT")
    else:
        text = {
            k.DNS: QCoreApplication.translate("FeedReason", "Cannot reach %1: the host name is unknown"),
            k.REFUSED: QCoreApplication.translate("FeedReason", "Cannot reach %1: connection refused (is the feed running on that port?)"),
            k.UNREACHABLE: QCoreApplication.translate("FeedReason", "Cannot reach %1: the network or host is unreachable"),
            k.TIMEOUT: QCoreApplication.translate("FeedReason", "Cannot reach %1: no answer in time"),
            k.TLS: QCoreApplication.translate("FeedReason", "Cannot connect securely to %1: the TLS connection failed (certificate or ws:// vs wss://)"),
            k.INSECURE: QCoreApplication.translate("FeedReason", "Will not send the access token unencrypted to %1: use wss://"),
            k.AUTH: QCoreApplication.translate("FeedReason", "%1 refused access: check the access token"),
            k.NOT_FEED: QCoreApplication.translate("FeedReason", "%1 answered, but it is not a Warroom feed"),
            k.PROTOCOL: QCoreApplication.translate("FeedReason", "%1 is a feed this console cannot read (protocol version)"),
            k.CLOSED: QCoreApplication.translate("FeedReason", "The connection to %1 was closed"),
            k.OTHER: QCoreApplication.translate("FeedReason", "Cannot connect to %1"),
        }[problem.kind]
    text = text.replace("%1", target)
    if with_retry and problem.retrying:
        text += QCoreApplication.translate("FeedReason", " \u2014 retrying")
    return text


def reason_text(reason: str, url: str = "", *, with_retry: bool = True) -> str:
    """The translated sentence for a feed client's status ``reason``; the reason itself when it
    names no problem (``live from sim-7``)."""
    problem = classify_reason(reason, url)
    return problem_text(problem, with_retry=with_retry) if problem is not None else reason


__all__ = ["CONTEXT", "problem_text", "reason_text"]
