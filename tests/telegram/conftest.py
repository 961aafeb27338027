"""A fake Bot API and two live servers: one with the Telegram channel, one without a token."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import CREDENTIALS, SECRET, TOKEN, WEBHOOK_URL, Live, TelegramServers


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Both servers start at once (start-up is most of the run time)."""
    fake = FakeBotAPI().start()
    work_a = Path(tmp_path_factory.mktemp("telegram"))
    work_b = Path(tmp_path_factory.mktemp("telegram_off"))
    for work in (work_a, work_b):
        (work / "credentials.yml").write_text(CREDENTIALS)
    telegram = TelegramServers(
        workdir=work_a,
        credentials=work_a / "credentials.yml",
        extra_env={
            "EMERGENCY_NUMBER": "999",
            "TRIAGE_DB": str(work_a / "tracker.db"),
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_BOT_NAME": fake.bot_username,
            "TELEGRAM_API_BASE": fake.url,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_SECRET_TOKEN": SECRET,
        },
    )
    # No TELEGRAM_TOKEN; shares the first run's action server.
    no_token = TelegramServers(
        workdir=work_b,
        credentials=work_b / "credentials.yml",
        actions_port=telegram.actions_port,
        extra_env={"EMERGENCY_NUMBER": "999", "TRIAGE_DB": str(work_b / "tracker.db")},
    )
    try:
        telegram.start_actions()
        telegram.start_rasa()
        no_token.start_rasa()
        telegram.wait_until_ready()
        no_token.wait_until_ready()
        yield Live(fake, telegram, no_token)
    finally:
        no_token.stop()
        telegram.stop()
        fake.stop()
