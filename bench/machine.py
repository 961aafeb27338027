"""The machine the benchmark ran on, and resident memory of process trees."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Dict, List


def _meminfo_total_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> Dict[str, str]:
    """nproc, RAM, CPU, OS, Python and the versions that matter."""
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    return {
        "nproc": nproc,
        "RAM": f"{_meminfo_total_gb():.1f} GB",
        "CPU": _cpu_model(),
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
        "rasa": v("rasa"),
        "rasa-sdk": v("rasa-sdk"),
        "tensorflow": v("tensorflow"),
        "scikit-learn": v("scikit-learn"),
        "httpx": v("httpx"),
        "load average at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def _children(pid: int) -> List[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces; the parent pid is the 2nd field after ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def tree(pid: int) -> List[int]:
    """The process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    return pids


def vm_rss_mb(pid: int) -> float:
    """VmRSS of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """VmRSS of the process plus its children, in MB."""
    return sum(vm_rss_mb(p) for p in tree(pid))


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_busy_s() -> float:
    """CPU-seconds all cores have spent busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / _TICK


def proc_cpu_s(pids: List[int]) -> float:
    """user+sys CPU-seconds of these processes (threads included)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _TICK


class OtherLoad:
    """How busy the machine was with work that is not ours, in cores, over an interval."""

    def __init__(self) -> None:
        self.busy0 = cpu_busy_s()

    def cores(self, ours_cpu_s: float, wall_s: float) -> float:
        """Average cores used by everything but ``ours_cpu_s`` since construction."""
        if wall_s <= 0:
            return 0.0
        return max(0.0, (cpu_busy_s() - self.busy0 - ours_cpu_s) / wall_s)
