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

from regcore.memory import keep_freed_memory

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


def test_setting_is_idempotent():
    first = keep_freed_memory()
    assert keep_freed_memory() is first
