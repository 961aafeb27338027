"""The scale-out set-up on one machine, for the scale-out test and for trying it by hand.

PostgreSQL (shared tracker store) and Redis (lock store) as private instances
in temp directories, two action servers, two Rasa servers using
deploy/endpoints.production.yml, and nginx rendered from
deploy/nginx.conf.template in front of both (round-robin). Everything listens
on 127.0.0.1 on free ports, and `Stack.stop` removes every process and
directory it created, whatever state the start-up reached.

Missing Debian packages (postgresql, redis-server, nginx) are installed with
apt-get once (root, or password-less sudo).

By hand: `.venv/bin/python -m deploy.scaleout up [--seconds 3600]`.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Dict, Optional, Sequence

import httpx

from deploy.packages import Log, ensure_packages, find_initdb, find_program, shared_tmp
from harness.processes import Proc, spawn, wait_for
from harness.servers import MODEL, RASA_BODY_LIMIT, actions_command, free_ports, rasa_command, server_env
from mfr.settings import ROOT

DEPLOY = ROOT / "deploy"
ENDPOINTS = DEPLOY / "endpoints.production.yml"
NGINX_TEMPLATE = DEPLOY / "nginx.conf.template"
CREDENTIALS = ROOT / "credentials.yml"
HOST = "127.0.0.1"
CORS = "http://localhost:8080"
DB_NAME = "rasa"
DB_USER = "rasa"
REDIS_DB = 1
START_TIMEOUT_S = float(os.environ.get("SCALEOUT_START_TIMEOUT_S", "240"))

# --- the stack --------------------------------------------------------------------------


@dataclass
class Stack:
    """PostgreSQL, Redis, two action servers, two Rasa servers and nginx on 127.0.0.1."""

    token: str = field(default_factory=lambda: secrets.token_hex(16))
    model: Path = MODEL
    extra_env: Dict[str, str] = field(default_factory=dict)
    keep_workdir: bool = False
    log: Log = print

    workdir: Optional[Path] = None
    pgdir: Optional[Path] = None
    procs: Dict[str, Proc] = field(default_factory=dict)
    ports: Dict[str, int] = field(default_factory=dict)
    db_password: str = field(default_factory=lambda: secrets.token_hex(12))
    redis_password: str = field(default_factory=lambda: secrets.token_hex(12))
    pg_superuser_password: str = field(default_factory=lambda: secrets.token_hex(12))
    timings: Dict[str, float] = field(default_factory=dict)
    _pg_ctl: Optional[Path] = None

    # Addresses ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """nginx, the public entry."""
        return f"http://{HOST}:{self.ports['nginx']}"

    def rasa_url(self, i: int) -> str:
        """Base URL of Rasa server `i` (1 or 2), bypassing nginx."""
        return f"http://{HOST}:{self.ports[f'rasa{i}']}"

    def rasa_addr(self, i: int) -> str:
        """What nginx reports in X-Upstream for Rasa server `i`."""
        return f"{HOST}:{self.ports[f'rasa{i}']}"

    def instance_of(self, upstream_header: str) -> Optional[int]:
        """1 or 2: the Rasa server that finally answered (the last address of X-Upstream)."""
        last = upstream_header.split(",")[-1].strip() if upstream_header else ""
        for i in (1, 2):
            if last == self.rasa_addr(i):
                return i
        return None

    @property
    def db_dsn(self) -> Dict[str, object]:
        """psycopg2.connect() arguments for the tracker database, as Rasa's user."""
        return {"host": HOST, "port": self.ports["postgres"], "dbname": DB_NAME, "user": DB_USER,
                "password": self.db_password}

    # Start ------------------------------------------------------------------------------

    def start(self) -> "Stack":
        """Starts everything and waits until a message gets through nginx. Cleans up on failure."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        t0 = time.monotonic()
        installed = ensure_packages(self.log)
        self.timings["install_s"] = time.monotonic() - t0
        if installed:
            self.log(f"installed {installed}")
        if not self.model.exists():
            raise FileNotFoundError(f"{self.model} is missing: run `make train` first")
        self.workdir = Path(tempfile.mkdtemp(prefix="mfr-scaleout-", dir=shared_tmp()))
        # nginx workers run as an unprivileged user when nginx starts as root: they
        # must reach their temp directories (traverse only; logs and files stay 0600).
        self.workdir.chmod(0o711)
        names = ("postgres", "redis", "actions1", "actions2", "rasa1", "rasa2", "nginx", "actions_lb")
        self.ports.update(zip(names, free_ports(len(names)), strict=True))

        t1 = time.monotonic()
        self._start_postgres()
        self._start_redis()
        self.timings["stores_s"] = time.monotonic() - t1

        # The slow part first: both Rasa servers load their model in parallel.
        t2 = time.monotonic()
        for i in (1, 2):
            self._start_rasa(i)
        for i in (1, 2):
            self._start_actions(i)
        self._start_nginx()

        procs = list(self.procs.values())

        def actions_up(i: int) -> bool:
            return httpx.get(f"http://{HOST}:{self.ports[f'actions{i}']}/health", timeout=2).status_code == 200

        def model_loaded(i: int) -> bool:
            status = httpx.get(f"{self.rasa_url(i)}/status", params={"token": self.token}, timeout=3)
            return bool(status.json().get("model_file"))

        for i in (1, 2):
            wait_for(f"action server {i}", partial(actions_up, i), START_TIMEOUT_S, procs)
        for i in (1, 2):
            wait_for(f"Rasa server {i}", partial(model_loaded, i),
                     max(10.0, START_TIMEOUT_S - (time.monotonic() - t2)), procs, interval=1.0)
        self.timings["servers_ready_s"] = time.monotonic() - t2
        wait_for("nginx", lambda: httpx.get(f"{self.url}/", timeout=3).status_code == 200, 30, procs)
        wait_for("action endpoint via nginx", lambda: httpx.get(
            f"http://{HOST}:{self.ports['actions_lb']}/health", timeout=3).status_code == 200, 30, procs)
        self.timings["start_total_s"] = time.monotonic() - t0

    def _run_as_postgres(self, cmd: Sequence[str], **kw: object) -> subprocess.CompletedProcess:
        """Runs a PostgreSQL tool; initdb and pg_ctl refuse root: as root run them as the `postgres` user."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *cmd], check=True, capture_output=True, **kw)  # type: ignore[call-overload]

    def _start_postgres(self) -> None:
        initdb = find_initdb()
        assert initdb is not None
        self._pg_ctl = initdb.parent / "pg_ctl"
        self.pgdir = Path(tempfile.mkdtemp(prefix="mfr-scaleout-pg-", dir=shared_tmp()))
        data = self.pgdir / "data"
        pwfile = self.pgdir / "pwfile"
        pwfile.write_text(self.pg_superuser_password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            for path in (self.pgdir, pwfile):
                os.chown(path, pg.pw_uid, pg.pw_gid)
        self._run_as_postgres([str(initdb), "-D", str(data), "-U", "postgres", "--pwfile", str(pwfile),
                               "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"], timeout=180)
        pwfile.unlink()
        opts = f"-p {self.ports['postgres']} -k {self.pgdir} -c listen_addresses={HOST}"
        self._run_as_postgres([str(self._pg_ctl), "-D", str(data), "-l", str(self.pgdir / "postgres.log"),
                               "-w", "-t", "90", "start", "-o", opts], timeout=120)

        import psycopg2  # comes with Rasa (psycopg2-binary)

        conn = psycopg2.connect(host=HOST, port=self.ports["postgres"], dbname="postgres", user="postgres",
                                password=self.pg_superuser_password, connect_timeout=10)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD %s", (self.db_password,))
            cur.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
        conn.close()

    def _start_redis(self) -> None:
        assert self.workdir is not None
        conf = self.workdir / "redis.conf"
        conf.write_text(f"bind {HOST}\nrequirepass {self.redis_password}\nappendonly no\ndir {self.workdir}\n")
        conf.chmod(0o600)
        redis = find_program("redis-server")
        self.procs["redis"] = spawn("redis", [str(redis), str(conf), "--port", str(self.ports["redis"]),
                                              "--save", "", "--daemonize", "no"], self.workdir / "redis.log")

        import redis as redis_py

        client = redis_py.Redis(host=HOST, port=self.ports["redis"], password=self.redis_password,
                                socket_timeout=2)
        wait_for("redis", lambda: bool(client.ping()), 30, [self.procs["redis"]])
        client.close()

    def server_env(self, **extra: str) -> Dict[str, str]:
        """harness.servers.server_env plus what endpoints.production.yml reads."""
        env = {
            "ACTION_ENDPOINT_URL": f"http://{HOST}:{self.ports['actions_lb']}/webhook",
            "DB_HOST": HOST, "DB_PORT": str(self.ports["postgres"]), "DB_NAME": DB_NAME, "DB_USER": DB_USER,
            "DB_PASSWORD": self.db_password,
            "REDIS_HOST": HOST, "REDIS_PORT": str(self.ports["redis"]), "REDIS_DB": str(REDIS_DB),
            "REDIS_PASSWORD": self.redis_password,
        }
        env.update(self.extra_env)
        env.update(extra)
        return server_env(**env)

    def _start_rasa(self, i: int) -> None:
        assert self.workdir is not None
        cmd = rasa_command(self.model, ENDPOINTS, CREDENTIALS, self.ports[f"rasa{i}"], self.token,
                           cors=[CORS], interface=HOST)
        # The body limit is for the Rasa server only (the action server receives whole trackers).
        self.procs[f"rasa{i}"] = spawn(f"rasa{i}", cmd, self.workdir / f"rasa{i}.log",
                                       env=self.server_env(**RASA_BODY_LIMIT))

    def _start_actions(self, i: int) -> None:
        assert self.workdir is not None
        cmd = actions_command(self.ports[f"actions{i}"])
        # SANIC_HOST: rasa_sdk binds 0.0.0.0 otherwise. Both action servers share one
        # SQLite file for triage records (same machine; see deploy/KUBERNETES.md).
        env = self.server_env(SANIC_HOST=HOST, TRIAGE_DB=str(self.workdir / "triage.db"))
        self.procs[f"actions{i}"] = spawn(f"actions{i}", cmd, self.workdir / f"actions{i}.log", env=env)

    def render_nginx(self) -> str:
        """The nginx configuration of this stack."""
        assert self.workdir is not None
        return render_nginx_template(
            prefix=str(self.workdir / "nginx"), error_log=str(self.workdir / "nginx" / "error.log"),
            listen=f"{HOST}:{self.ports['nginx']}",
            actions_listen=f"{HOST}:{self.ports['actions_lb']}",
            rasa=(self.rasa_addr(1), self.rasa_addr(2)),
            actions=(f"{HOST}:{self.ports['actions1']}", f"{HOST}:{self.ports['actions2']}"),
        )

    def _start_nginx(self) -> None:
        assert self.workdir is not None
        nginx = find_program("nginx")
        prefix = self.workdir / "nginx"
        prefix.mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(self.render_nginx())
        base = [str(nginx), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
        test = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{test.stderr}")
        self.procs["nginx"] = spawn("nginx", [*base, "-g", "daemon off;"], prefix / "stdout.log")

    # Faults -------------------------------------------------------------------------------

    def kill_rasa(self, i: int, timeout: float = 20.0) -> int:
        """SIGKILLs Rasa server `i` (no clean shutdown) and returns its exit code."""
        proc = self.procs[f"rasa{i}"]
        assert proc.alive, f"Rasa server {i} is not running"
        proc.signal(signal.SIGKILL)
        return proc.popen.wait(timeout=timeout)

    # Stop -------------------------------------------------------------------------------

    def logs(self, lines: int = 30) -> str:
        """The last lines of every log, for failure messages."""
        parts = [f"--- {p.name} ({p.log}) ---\n{p.tail(lines)}" for p in self.procs.values()]
        if self.pgdir and (self.pgdir / "postgres.log").exists():
            pg_log = (self.pgdir / "postgres.log").read_text(errors="replace").splitlines()[-lines:]
            parts.append("--- postgres ---\n" + "\n".join(pg_log))
        return "\n".join(parts)

    def stop(self) -> None:
        """Stops every process and removes every directory this stack created (idempotent)."""
        order = ["nginx", "rasa1", "rasa2", "actions1", "actions2", "redis"]
        running = [self.procs[n] for n in order if n in self.procs]
        for p in running:
            p.signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for p in running:
            try:
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.signal(signal.SIGKILL)
                try:
                    p.popen.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.log(f"{p.name} (pid {p.popen.pid}) did not exit")
        self._stop_postgres()
        if self.workdir and self.workdir.exists():
            if self.keep_workdir:
                self.log(f"kept {self.workdir}")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)
        if self.pgdir and self.pgdir.exists():
            shutil.rmtree(self.pgdir, ignore_errors=True)

    def _stop_postgres(self) -> None:
        if not self.pgdir:
            return
        data = self.pgdir / "data"
        pidfile = data / "postmaster.pid"
        if not pidfile.exists():
            return
        try:
            self._run_as_postgres([str(self._pg_ctl), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"],
                                  timeout=60)
        except (subprocess.SubprocessError, OSError):
            try:
                pid = int(pidfile.read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
                time.sleep(1)
            except (OSError, ValueError, IndexError):
                pass


def render_nginx_template(prefix: str, error_log: str, listen: str, actions_listen: str, rasa: Sequence[str],
                          actions: Sequence[str], template: Path = NGINX_TEMPLATE) -> str:
    """deploy/nginx.conf.template with its @@PLACEHOLDERS@@ filled in."""
    text = template.read_text()
    values = {
        "PREFIX": prefix, "ERROR_LOG": error_log, "LISTEN": listen, "ACTIONS_LISTEN": actions_listen,
        "RASA_1": rasa[0], "RASA_2": rasa[1], "ACTIONS_1": actions[0], "ACTIONS_2": actions[1],
    }
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if "@@" in text:
        raise ValueError("unfilled placeholder in the nginx template")
    return text


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: `up` or `install`."""
    parser = argparse.ArgumentParser(prog="python -m deploy.scaleout", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole set-up and keep it running (Ctrl-C stops and cleans up)")
    up.add_argument("--seconds", type=float, default=3600, help="stop after this long (default 3600)")
    sub.add_parser("install", help="only install the missing Debian packages")
    args = parser.parse_args(argv)
    if args.command == "install":
        print(ensure_packages() or "nothing missing")
        return 0
    stack = Stack()
    try:
        stack.start()
        print(f"nginx (round-robin over two Rasa servers): {stack.url}")
        print(f"  curl -s {stack.url}/webhooks/rest/webhook -d '{{\"sender\":\"me\",\"message\":\"hello\"}}'")
        print(f"  API token: {stack.token}; logs in {stack.workdir}; started in {stack.timings['start_total_s']:.0f} s")
        end = time.monotonic() + args.seconds
        while time.monotonic() < end and all(p.alive for p in stack.procs.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
