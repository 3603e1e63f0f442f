"""argon2 on the process's hashing threads (ts_host/passwords.py says why)."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import argon2

from ts_host.passwords import MINIMUM, Hasher
from ts_host.testing.data import TEST_SECRETS

PEPPER = TEST_SECRETS["ts.password_pepper"]
CALLERS = 8
BLOCK_MIB = MINIMUM["memory_cost"] // 1024


def test_hashes_and_verifications_run_on_at_most_one_thread_per_core(monkeypatch):
    hasher = Hasher(PEPPER, **MINIMUM)
    stored = hasher.hash("860357")
    threads = []
    for name in ("hash", "verify"):
        original = getattr(argon2.PasswordHasher, name)

        def recording(self, *args, _original=original):
            threads.append(threading.current_thread().name)
            return _original(self, *args)

        monkeypatch.setattr(argon2.PasswordHasher, name, recording)

    def log_in(number: int) -> tuple[bool, bool]:
        hasher.hash(str(number))
        return hasher.verify(stored, "860357"), hasher.verify(stored, "000000")

    with ThreadPoolExecutor(CALLERS) as callers:
        assert set(callers.map(log_in, range(CALLERS))) == {(True, False)}
    assert len(threads) == 3 * CALLERS
    assert all(name.startswith("argon2") for name in threads), threads
    assert len(set(threads)) <= len(os.sched_getaffinity(0))


MEASURE = f"""
import re, threading
from ts_host.passwords import MINIMUM, Hasher
def resident_mib():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1)) / 1024
hasher = Hasher({PEPPER!r}, **MINIMUM)
before = resident_mib()
callers = [threading.Thread(target=lambda: [hasher.hash("860357") for _ in range(2)])
           for _ in range({CALLERS})]
for caller in callers: caller.start()
for caller in callers: caller.join()
print(resident_mib() - before)
"""


def test_a_process_keeps_an_argon2_block_per_core_not_per_caller():
    """Hashed on each of eight callers' threads, the process grew by eight
    19 MiB blocks (152 MiB on this 2-core machine); on the hashing threads,
    by what the cores' threads keep."""
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=60, check=True
    )
    growth = float(measured.stdout)
    cores = len(os.sched_getaffinity(0))
    assert growth <= min(cores, CALLERS) * BLOCK_MIB + 8, growth


FORKED = f"""
import os
from ts_host.passwords import MINIMUM, Hasher
hasher = Hasher({PEPPER!r}, **MINIMUM)
child = os.fork()
if child == 0:
    os._exit(0 if hasher.verify(hasher.hash("860357"), "860357") else 1)
print(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
"""


def test_a_process_forked_after_the_first_hash_hashes_on_threads_of_its_own():
    """A server loading the application before it forks its workers: the
    parent's hashing threads are not in the child, which starts its own."""
    forked = subprocess.run(
        [sys.executable, "-c", FORKED], capture_output=True, text=True, timeout=30, check=True
    )
    assert forked.stdout.strip() == "0"
