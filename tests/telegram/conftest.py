"""A fake Bot API and two live servers: one with the Telegram channel, one without a token."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import SECRET, TOKEN, WEBHOOK_URL, Live, telegram_servers


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Both servers start at once (start-up is most of the run time)."""
    fake = FakeBotAPI().start()
    work_a = Path(tmp_path_factory.mktemp("telegram"))
    work_b = Path(tmp_path_factory.mktemp("telegram_off"))
    telegram = telegram_servers(
        work_a,
        {
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
    no_token = telegram_servers(work_b, {"EMERGENCY_NUMBER": "999", "TRIAGE_DB": str(work_b / "tracker.db")},
                                actions_port=telegram.actions_port)
    try:
        # Started by hand, not with harness.servers.running: two Rasa servers share one action server.
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
