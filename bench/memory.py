"""The peak memory of this process, for the benches that run a step in a fresh process."""

import resource
import sys
from pathlib import Path


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM) in MB.

    Not getrusage's ru_maxrss: Linux carries the parent's peak over fork and exec into the
    child's, so a step started from a bench that holds 250 MB would report 250 MB whatever it
    used itself. VmHWM belongs to this process's own address space.
    """
    status = Path("/proc/self/status")
    if sys.platform == "linux" and status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux and BSD
