"""Let the history writer's DuckDB work take the GIL back promptly.

DuckDB's Python client releases the GIL while a query runs, but takes it back after every
task of the query (to look for a Ctrl-C). While another thread is busy in Python (the event
loop decoding frames), each of those takes waits for the interpreter's switch interval, 5 ms
by default: a flush of a million points then runs about twice as long as it does alone
(measured: 138 ms instead of 57 with a Python thread spinning beside it; 81 ms with a 0.2 ms
interval). The console's window already lowers the interval for its own callbacks
(``warroom.ui.main_window.GIL_SWITCH_S``); a headless recorder, the gateway and the benches
get it here, when a writer starts.
"""

from __future__ import annotations

import sys

#: The longest the writer's thread waits for the GIL held by a busy Python thread.
WRITER_SWITCH_S = 0.0005


def share_the_gil() -> float:
    """Lower the interpreter's switch interval to ``WRITER_SWITCH_S`` (never raise it);
    returns the interval in force."""
    if sys.getswitchinterval() > WRITER_SWITCH_S:
        sys.setswitchinterval(WRITER_SWITCH_S)
    return sys.getswitchinterval()
