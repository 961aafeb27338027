"""`make run`: the action server, the Rasa server (all channels) and the web chat page, as in production.

    .venv/bin/python -m harness.run [--rasa-port 5005] [--actions-port 5055] [--web-port 8080]
                                    [--cors http://localhost:8080 ...]

The HTTP API runs behind RASA_AUTH_TOKEN, or a random token kept in
var/auth_token. Conversations are stored in var/tracker.db (endpoints.yml).
Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from typing import List

from harness.servers import (
    CREDENTIALS,
    ENDPOINTS,
    MODEL,
    RASA_BODY_LIMIT,
    ROOT,
    actions_command,
    rasa_command,
    server_env,
)

TOKEN_FILE = ROOT / "var" / "auth_token"


def api_token() -> str:
    """RASA_AUTH_TOKEN, else the token in var/auth_token (made once, readable by the owner only)."""
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if token:
        return token
    if not TOKEN_FILE.exists() or not TOKEN_FILE.read_text().strip():
        TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            TOKEN_FILE.write_text(secrets.token_hex(16) + "\n")
        finally:
            os.umask(old)
    return TOKEN_FILE.read_text().strip()


def main(argv: List[str]) -> int:
    """Starts the three servers; returns the Rasa server's exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    parser.add_argument("--cors", nargs="+", default=["http://localhost:8080"])
    args = parser.parse_args(argv)
    token = api_token()
    env = server_env()
    env.setdefault("ALLOWED_ORIGINS", ",".join(args.cors))
    print("Talk to the assistant:")
    print(f"  REST:      curl -s localhost:{args.rasa_port}/webhooks/rest/webhook "
          "-d '{\"sender\":\"me\",\"message\":\"what is myofascial release?\"}'")
    print(f"  socket.io: http://localhost:{args.rasa_port} (allowed origins: {env['ALLOWED_ORIGINS']})")
    print(f"  web chat:  http://localhost:{args.web_port}/")
    print(f"  phone:     POST localhost:{args.rasa_port}/webhooks/twilio_voice/webhook (Twilio Voice; "
          "set TWILIO_AUTH_TOKEN)")
    telegram = "on" if env.get("TELEGRAM_TOKEN") else "off (set TELEGRAM_TOKEN, see README)"
    print(f"  Telegram:  {telegram}")
    print(f"  HTTP API:  token in {TOKEN_FILE.relative_to(ROOT)} (or RASA_AUTH_TOKEN), e.g. /status?token=...",
          flush=True)
    helpers = [
        subprocess.Popen(actions_command(args.actions_port), cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, str(ROOT / "web" / "serve.py"), "--port", str(args.web_port),
                          "--server-url", f"http://localhost:{args.rasa_port}"], cwd=ROOT, env=env),
    ]
    rasa = subprocess.Popen(rasa_command(MODEL, ENDPOINTS, CREDENTIALS, args.rasa_port, token, args.cors),
                            cwd=ROOT, env={**env, **RASA_BODY_LIMIT})

    def stop(signum: int, _frame: object) -> None:
        rasa.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        return rasa.wait()
    except KeyboardInterrupt:
        rasa.send_signal(signal.SIGINT)
        return rasa.wait()
    finally:
        for proc in helpers:
            if proc.poll() is None:
                proc.terminate()
        for proc in helpers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
