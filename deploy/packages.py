"""The Debian packages the scale-out set-up runs (PostgreSQL, Redis, nginx): finding and installing them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Dict, List, Optional

Log = Callable[[str], None]


def find_initdb() -> Optional[Path]:
    """The newest /usr/lib/postgresql/<version>/bin/initdb."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(found[-1]) if found else None


def find_program(name: str) -> Optional[Path]:
    """`name` on PATH or in the sbin/bin directories (not always on a non-root PATH)."""
    hit = shutil.which(name)
    if hit:
        return Path(hit)
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"):
        if os.access(f"{d}/{name}", os.X_OK):
            return Path(d, name)
    return None


FINDERS: Dict[str, Callable[[], Optional[Path]]] = {
    "postgresql": find_initdb,
    "redis-server": lambda: find_program("redis-server"),
    "nginx": lambda: find_program("nginx"),
}


def missing_packages() -> List[str]:
    """The Debian packages whose programs are not installed."""
    return [pkg for pkg, find in FINDERS.items() if find() is None]


def ensure_packages(log: Log = print) -> List[str]:
    """Installs the missing packages (apt-get update once, then install); returns what was installed."""
    missing = missing_packages()
    if not missing:
        return []
    if os.geteuid() == 0:
        prefix: List[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        raise RuntimeError(f"missing {missing}; install them (apt-get install -y {' '.join(missing)}) or run as root")
    apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=300", "-q"]
    # Debian starts a package's service on install (nginx on port 80, a system
    # PostgreSQL and Redis). Only the private instances are wanted: without a
    # policy-rc.d in place, put one in for the install, and take it away after.
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = False
    if not policy.exists():
        subprocess.run([*prefix, "sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n' > {policy} && chmod 755 {policy}"],
                       check=True, timeout=30)
        own_policy = True
    try:
        log(f"installing {missing} (apt-get update, then install)")
        subprocess.run([*apt, "update"], check=True, timeout=900, stdout=subprocess.DEVNULL)
        subprocess.run([*apt, "install", "-y", *missing], check=True, timeout=1800, stdout=subprocess.DEVNULL)
    finally:
        if own_policy:
            subprocess.run([*prefix, "rm", "-f", str(policy)], timeout=30)
    still = missing_packages()
    if still:
        raise RuntimeError(f"apt-get install did not provide {still}")
    return missing


def shared_tmp() -> Optional[str]:
    """Where temp directories go: /tmp as root (the postgres user and nginx's workers must reach them)."""
    return "/tmp" if os.geteuid() == 0 else None
