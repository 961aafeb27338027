"""Shared by the Telegram tests: settings and a Servers subclass with its own credentials file."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from evaluation.live import ROOT, VENV_BIN, Servers, server_env
from tests.telegram.fake_bot_api import FakeBotAPI

TOKEN = "123:abc"
SECRET = "s3cret"
WEBHOOK_URL = "http://127.0.0.1/hook"
TELEGRAM_VARS = (
    "TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_API_BASE",
)
CREDENTIALS = "channels.telegram.SafeTelegramInput:\nchannels.rest.SafeRestInput:\n"


@dataclass
class TelegramServers(Servers):
    """Servers started with this test's credentials file and only the TELEGRAM_* variables given."""

    credentials: Optional[Path] = None

    def start_rasa(self) -> subprocess.Popen:
        assert self.credentials is not None
        env = server_env(**self.extra_env)
        for key in TELEGRAM_VARS:  # nothing from the developer's shell leaks into the test
            if key not in self.extra_env:
                env.pop(key, None)
        log = open(self.workdir / "rasa.log", "ab")
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(self.model),
                "--endpoints", str(self.write_endpoints()), "--credentials", str(self.credentials),
                "--port", str(self.rasa_port), "--enable-api", "--auth-token", self.token,
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(proc)
        return proc


@dataclass
class Live:
    """What the live tests talk to."""

    fake: FakeBotAPI
    telegram: TelegramServers
    no_token: TelegramServers
