"""The `rasa run` command lines, and servers started and stopped with them.

`make run` (`python -m harness.run`), every live test, the benchmark and the
scale-out driver start their servers here, so that a test server is the
production server: the same channels, the redacting log set-up, the request
body limit, the API token and CORS, the project's conversation store. Only
what a caller names differs (ports, credentials file, environment, database).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set

import httpx
import yaml

from mfr.settings import PATHS, ROOT

VENV_BIN = ROOT / ".venv" / "bin"
# The project's Rasa server runs as `python -m server run ...`: Rasa's command
# line without the JAX import TensorFlow attempts (about 100 MB; server/__main__.py).
RASA_RUN = [str(VENV_BIN / "python"), "-m", "server", "run"]
MODEL = PATHS.model
CREDENTIALS = ROOT / "credentials.yml"
ENDPOINTS = ROOT / "endpoints.yml"
# Both servers log through the redacting set-up (privacy/logging.yml).
LOGGING_CONFIG = ROOT / "privacy" / "logging.yml"
DEFAULT_CORS = "http://localhost:8080"
# Request bodies over 64 KB get 413 from Sanic, before they reach the model.
# Only for the Rasa server: the action server receives whole trackers.
RASA_BODY_LIMIT = {"SANIC_REQUEST_MAX_SIZE": "65536"}
TRACKER_STORE = "server.tracker_store.ProjectSQLTrackerStore"


# Servers listen on ports from below the kernel's ephemeral range. A port the
# kernel hands out for bind(0) comes from that range, and a moment later the
# kernel can pick the same number as the source port of an outgoing connection
# (a Rasa server's first connection to Redis or PostgreSQL): the server that
# was meant to listen there then fails with "address already in use". CI's
# scale-out tests failed that way once (actions2, 2026-12-05).
PORT_FLOOR = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Ports this process has handed out, never handed out twice (a server started
# later in the same test run must not get the port of one still starting).
_handed_out: Set[int] = set()


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when unknown)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> List[int]:
    """`count` distinct TCP ports, free right now, outside the ephemeral range."""
    low = ephemeral_low()
    pool = range(PORT_FLOOR, low) if low - PORT_FLOOR >= 1000 else range(1024, low)
    ports: List[int] = []
    for port in random.SystemRandom().sample(pool, k=min(len(pool), 500 + count)):
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            ports.append(port)
            if len(ports) == count:
                return ports
    raise RuntimeError(f"no {count} free ports between {pool.start} and {pool.stop}")


def free_port() -> int:
    """A TCP port nothing listens on right now (see free_ports)."""
    return free_ports(1)[0]


def server_env(**extra: str) -> Dict[str, str]:
    """The environment every server gets (on top of the caller's)."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def rasa_command(model: Path, endpoints: Path, credentials: Path, port: int, token: str,
                 cors: Sequence[str] = (DEFAULT_CORS,), logging: bool = True,
                 interface: Optional[str] = None) -> List[str]:
    """`rasa run` as the project runs it: API behind the token, CORS, redacting logs."""
    cmd = [
        *RASA_RUN, "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", str(credentials), "--port", str(port), "--enable-api", "--auth-token", token,
        "--cors", *cors,
    ]
    if interface:
        cmd += ["--interface", interface]
    if logging:
        cmd += ["--logging-config-file", str(LOGGING_CONFIG)]
    return cmd


def stock_rasa_command(model: Path, port: int, token: str) -> List[str]:
    """The README's stock `rasa run` (no `make run`): project endpoints and credentials from the working directory."""
    return [str(VENV_BIN / "rasa"), "run", "--enable-api", "--auth-token", token, "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--model", str(model), "--port", str(port)]


def project_endpoints(path: Path, actions_port: int) -> Path:
    """endpoints.yml as the project ships it, with only the action server's port changed."""
    spec = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    spec["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def actions_command(port: int, logging: bool = True) -> List[str]:
    """`rasa run actions` for the project's actions package."""
    cmd = [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"]
    if logging:
        cmd += ["--logging-config-file", str(LOGGING_CONFIG)]
    return cmd


def sqlite_endpoints(path: Path, actions_port: int, db: Path) -> Path:
    """An endpoints file like endpoints.yml, with this run's action server and database."""
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f'tracker_store:\n  type: {TRACKER_STORE}\n  dialect: "sqlite"\n  db: "{db}"\n',
        encoding="utf-8",
    )
    return path


@dataclass
class Servers:
    """A Rasa server and an action server started from this checkout.

    ``credentials`` is a credentials file (the project's by default) or its
    text; ``env`` is added to the environment (and ``unset`` removed from it);
    ``cors`` are the web origins allowed by `--cors`. ``stock`` starts the Rasa
    server as the README allows without `make run`: the stock command line in
    ``workdir`` with the project's endpoints.yml (its SQLite store under
    ``workdir/var/``, which does not exist beforehand) and credentials.yml.
    """

    workdir: Path
    token: str = "test-token"
    model: Path = MODEL
    credentials: "Path | str" = CREDENTIALS
    cors: Sequence[str] = (DEFAULT_CORS,)
    env: Dict[str, str] = field(default_factory=dict)
    unset: Sequence[str] = ()
    logging: bool = True
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: List[subprocess.Popen] = field(default_factory=list)
    rasa_proc: Optional[subprocess.Popen] = None
    stock: bool = False

    @property
    def url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def db_path(self) -> Path:
        """This run's SQLite conversation store."""
        if self.stock:
            return self.workdir / yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))["tracker_store"]["db"]
        return self.workdir / "tracker.db"

    def _env(self, **extra: str) -> Dict[str, str]:
        env = server_env(**self.env, **extra)
        for key in self.unset:
            env.pop(key, None)
        return env

    def _credentials_file(self) -> Path:
        if isinstance(self.credentials, Path):
            return self.credentials
        path = self.workdir / "credentials.yml"
        path.write_text(self.credentials, encoding="utf-8")
        return path

    def start_actions(self) -> subprocess.Popen:
        """Starts the action server."""
        log = open(self.workdir / "actions.log", "ab")
        proc = subprocess.Popen(actions_command(self.actions_port, self.logging), cwd=ROOT, env=self._env(),
                                stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(proc)
        return proc

    def start_rasa(self) -> subprocess.Popen:
        """Starts the Rasa server."""
        if self.stock:
            project_endpoints(self.workdir / "endpoints.yml", self.actions_port)
            credentials = self._credentials_file()
            if credentials != self.workdir / "credentials.yml":
                (self.workdir / "credentials.yml").write_text(credentials.read_text(encoding="utf-8"), encoding="utf-8")
            cmd, cwd = stock_rasa_command(self.model, self.rasa_port, self.token), self.workdir
        else:
            endpoints = sqlite_endpoints(self.workdir / "endpoints.yml", self.actions_port, self.db_path)
            cmd = rasa_command(self.model, endpoints, self._credentials_file(), self.rasa_port, self.token,
                               self.cors, self.logging)
            cwd = ROOT
        log = open(self.workdir / "rasa.log", "ab")
        proc = subprocess.Popen(cmd, cwd=cwd, env=self._env(**RASA_BODY_LIMIT), stdout=log,
                                stderr=subprocess.STDOUT)
        self.processes.append(proc)
        self.rasa_proc = proc
        return proc

    def wait_until_ready(self, timeout: float = 180.0, actions: bool = True) -> float:
        """Seconds until the Rasa server has its model (and the action server answers); raises on timeout."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"a server exited early (code {proc.returncode}); see logs in {self.workdir}")
            try:
                r = httpx.get(f"{self.url}/status", params={"token": self.token}, timeout=2)
                ready = r.status_code == 200 and r.json().get("model_file")
                if ready and actions:
                    ready = httpx.get(f"http://127.0.0.1:{self.actions_port}/health", timeout=2).status_code == 200
                if ready:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"servers not ready after {timeout}s; see logs in {self.workdir}")

    def kill_rasa(self, timeout: float = 20.0) -> int:
        """SIGKILLs the Rasa server (no clean shutdown) and returns its exit code."""
        proc = self.rasa_proc
        assert proc is not None and proc.poll() is None, "the Rasa server is not running"
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=timeout)
        self.processes.remove(proc)
        self.rasa_proc = None
        return code

    def stop(self) -> None:
        """Stops every process this object started."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.processes.clear()
        self.rasa_proc = None

    def log(self, name: str = "rasa") -> str:
        """One server's log so far."""
        path = self.workdir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@contextmanager
def running(servers: Servers, actions: bool = True, timeout: float = 180.0) -> Iterator[Servers]:
    """Starts the servers, waits until they answer, and stops them afterwards, whatever happens."""
    try:
        if actions:
            servers.start_actions()
        servers.start_rasa()
        servers.wait_until_ready(timeout=timeout, actions=actions)
        yield servers
    finally:
        servers.stop()
