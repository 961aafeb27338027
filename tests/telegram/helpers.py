"""Shared by the Telegram tests: settings, and servers with their own credentials file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from harness.servers import Servers
from tests.telegram.fake_bot_api import FakeBotAPI

TOKEN = "123:abc"
SECRET = "s3cret"
WEBHOOK_URL = "http://127.0.0.1/hook"
TELEGRAM_VARS = (
    "TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_API_BASE",
)
CREDENTIALS = "channels.telegram.TelegramChannel:\nchannels.rest.RestChannel:\n"


def telegram_servers(workdir: Path, env: Dict[str, str], **kwargs: object) -> Servers:
    """Servers with this test's credentials file and only the TELEGRAM_* variables given.

    Nothing from the developer's shell leaks into the test: the other TELEGRAM_*
    variables are removed from the servers' environment.
    """
    return Servers(workdir=workdir, credentials=CREDENTIALS, env=env,
                   unset=[k for k in TELEGRAM_VARS if k not in env], **kwargs)  # type: ignore[arg-type]


@dataclass
class Live:
    """What the live tests talk to."""

    fake: FakeBotAPI
    telegram: Servers
    no_token: Servers
