"""Keep bulk writes off the kernel's page-fault path (glibc only; elsewhere nothing happens).

Every flush of the history writer allocates column arrays of tens of MB (numpy, Arrow, DuckDB)
and frees them a moment later. glibc serves blocks above its mmap threshold with fresh pages
from the kernel and gives them back on free, so each flush faults all of them in again: on
the ingest bench that was a third of the process's CPU time, in the kernel. Its dynamic
threshold does not settle either, because the heap is trimmed back as soon as it shrinks.

``tune_for_bulk_writes`` fixes both thresholds (mmap above 32 MiB, trim above 64 MiB): the
flush-sized blocks are then reused from the heap, and at most 64 MiB of free heap is kept.
It runs once per process, the first time a writer starts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024
_done = False


def tune_for_bulk_writes() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True when it did."""
    global _done
    if _done:
        return True
    _done = True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        return False
    if hasattr(mallopt, "argtypes"):
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    log.debug("allocator thresholds %s", "set" if ok else "refused")
    return ok
