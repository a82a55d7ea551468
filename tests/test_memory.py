"""regcore.memory: glibc keeps freed memory mapped once the thresholds are raised.

Measured in a fresh interpreter (the setting is process-wide and cannot be undone): after three
warm-up steps, a hundred more steps of multi-megabyte temporaries fault in (almost) no new pages.
Without the setting glibc's own adaptive thresholds sometimes get there and sometimes fault in
all 2,500 pages every step, depending on the heap's layout; benchmarks/bench_sweep.py shows what
that costs.
"""
import os
import subprocess
import sys

import pytest

SCRIPT = """
import resource, sys, torch
import regcore.memory as m
if sys.argv[1] == "on":
    assert m.keep_freed_memory()
torch.set_num_threads(1)
def step():
    # a step's worth of activations (1.3 MB each, 2,500 pages together), then all freed
    acts = [torch.ones(64, 200, 25) for _ in range(8)]
    del acts
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(100):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True,
                         check=True, env={**os.environ, "REGCORE_KEEP_FREED_MEMORY": "1"})
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_steps_after_the_first_fault_in_no_new_pages():
    # 100 steps x 2,500 pages if every step re-faulted; allow less than one step's worth
    assert _faults("on") < 2_500


def test_environment_can_keep_glibcs_defaults():
    script = "import regcore.memory as m; print(m.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={**os.environ, "REGCORE_KEEP_FREED_MEMORY": "0"})
    assert out.stdout.strip() == "False"


EFFECT = """
import ctypes, ctypes.util
import regcore.memory as m

class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                               "usmblks", "fsmblks", "uordblks", "fordblks",
                                               "keepcost")]

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
first = m.keep_freed_memory()
real_cdll = ctypes.CDLL
ctypes.CDLL = None  # a second call that tried to set the thresholds again would fail here
second = m.keep_freed_memory()
ctypes.CDLL = real_cdll
before = libc.mallinfo2()
block = libc.malloc(30 * 2 ** 20)  # below the raised mmap threshold (32 MiB), above glibc's
during = libc.mallinfo2()
libc.free(block)
after = libc.mallinfo2()
# new mmapped blocks; bytes the heap serves in use (uordblks); bytes the heap gave back on free
print(first, second, during.hblks - before.hblks, during.uordblks - before.uordblks,
      during.arena - after.arena)
"""


def _effect(env_value: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", EFFECT], capture_output=True, text=True,
                         check=True, env={**os.environ, "REGCORE_KEEP_FREED_MEMORY": env_value})
    return out.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and mallinfo2")
def test_settings_take_effect_once_per_process():
    # In a fresh interpreter: the second call returns the first's answer without touching libc
    # again, and the settings show in glibc's own accounting (mallinfo2). A 30 MiB malloc is
    # served from the heap (no new mmapped block; the heap's in-use bytes grow by at least
    # 30 MiB), and freeing it gives nothing back (below the 256 MiB trim threshold). Counted in
    # bytes: how much the arena itself grows depends on the free space already at its top.
    size = 30 * 2 ** 20
    first, second, new_mmaps, in_use, given_back = _effect("1")
    assert (first, second) == ("True", "True")
    assert int(new_mmaps) == 0 and int(in_use) >= size and int(given_back) == 0
    # glibc's defaults: the same block gets its own mapping and the heap does not serve it
    first, second, new_mmaps, in_use, given_back = _effect("0")
    assert (first, second) == ("False", "False")
    assert int(new_mmaps) == 1 and int(in_use) < size
