"""Keep freed memory mapped, so each training step's large temporaries do not fault in afresh.

glibc's ``malloc`` serves blocks above its mmap threshold (128 KiB at first, raised as such
blocks are freed) with fresh ``mmap`` pages and trims the heap top back to the system when
enough is free. A batched sweep allocates tensors of a few megabytes many times per epoch; with
the defaults a share of them are mapped, zeroed by the kernel and unmapped again every step.
With the settings below ``fit`` in a fresh process runs about 1.7 times as fast
(``benchmarks/bench_memory.py`` measures it side by side), and a 64-member full-batch sweep
about a third faster.

:func:`keep_freed_memory` raises the mmap threshold to glibc's maximum (32 MiB) and the trim
threshold to 256 MiB, once per process: memory freed by one step stays in the heap for the
next. The cost is that up to 256 MiB of freed memory may stay mapped. The setting is
process-wide and cannot be undone, so no library call makes it behind its caller's back: it is an
explicit call, made by the book's chapters (``regcore.site.glue.setup_chapter``), the command
line (``python -m regcore``) and the benchmarks; a learner's notebook may make it too. Worker
processes of :mod:`regcore.parallel` make it when their parent has. A no-op where the C library
has no ``mallopt`` (not glibc), and when the environment sets ``REGCORE_KEEP_FREED_MEMORY=0``
(glibc's defaults stay; used by ``benchmarks/bench_memory.py`` to measure the difference).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 2 ** 20   # glibc's upper limit on 64-bit systems
TRIM_THRESHOLD = 256 * 2 ** 20

_done: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's thresholds once per process; True when they were set (glibc present)."""
    global _done
    if _done is None:
        _done = False
        if os.environ.get("REGCORE_KEEP_FREED_MEMORY") == "0":
            return _done
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):
            return _done
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                     and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done


def is_kept() -> bool:
    """Whether :func:`keep_freed_memory` has set the thresholds in this process."""
    return bool(_done)
