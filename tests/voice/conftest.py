"""One phone-line server set for the live voice tests, with texts sent to a local fake Messages API."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.servers import Servers, running
from tests.voice.fake_messages_api import FakeMessagesAPI

# Twilio signs webhooks with the account's auth token, and the same token authenticates API calls.
TOKEN = "testtoken"
CLINIC_NUMBER = "+15550100"
SMS_FROM = "+15550188"
MAX_WORDS_PER_SAY = 60

CREDENTIALS = """\
channels.twilio_voice.TwilioVoiceChannel:
  initial_prompt: "hello"
  reprompt_fallback_phrase: "Sorry, I didn't get that. Could you say it another way?"
  assistant_voice: "woman"
  speech_timeout: "5"
  speech_model: "default"
  enhanced: "false"

channels.rest.RestChannel:
"""


@pytest.fixture(scope="package")
def messages_api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI(auth_token=TOKEN) as api:
        yield api


@pytest.fixture(scope="package")
def servers(tmp_path_factory: pytest.TempPathFactory, messages_api: FakeMessagesAPI) -> Iterator[Servers]:
    workdir = Path(tmp_path_factory.mktemp("voice"))
    env = {**messages_api.env(SMS_FROM), "TWILIO_AUTH_TOKEN": TOKEN, "CLINIC_PHONE_NUMBER": CLINIC_NUMBER,
           "TWILIO_PUBLIC_URL": "", "TRIAGE_DB": str(workdir / "tracker.db")}
    with running(Servers(workdir=workdir, credentials=CREDENTIALS, env=env)) as s:
        yield s
