"""Talking to a running Rasa server: the REST webhook and the token-protected HTTP API."""

from __future__ import annotations

from typing import Any, Dict, List

import httpx


class Client:
    """A small REST client for one Rasa server."""

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url
        self.token = token
        self.http = httpx.Client(timeout=timeout)

    def send(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        """Posts one message to the REST webhook and returns the bot messages."""
        r = self.http.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
        r.raise_for_status()
        return list(r.json())

    def parse(self, text: str) -> Dict[str, Any]:
        """What the model makes of ``text`` (the HTTP API's /model/parse), without a conversation."""
        r = self.http.post(f"{self.url}/model/parse", params={"token": self.token}, json={"text": text})
        r.raise_for_status()
        return dict(r.json())

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation's tracker from the HTTP API."""
        r = self.http.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token})
        r.raise_for_status()
        return dict(r.json())


# Messages about a current symptom that the detectors may well put in the grey
# zone; written for the screen's tests, in no table.
GREY_CANDIDATES = (
    "I feel a bit faint and my back hurts, can you help?",
    "my chest feels a bit funny today, is myofascial release ok for me?",
    "I've felt a bit strange since my session, sort of light-headed",
    "my leg has been feeling odd and a bit numb since this morning, should I still come in?",
    "my head is pounding and I feel a bit sick, can I still have my massage today?",
    "I feel wobbly and my vision is a bit blurry since the session, is that normal?",
)


def grey_message(client: "Client") -> str:
    """A message the running model answers with the red-flag screen (the first candidate that gets it)."""
    for text in GREY_CANDIDATES:
        if (client.parse(text).get("intent") or {}).get("name") == "red_flag_screen":
            return text
    raise AssertionError(f"none of {len(GREY_CANDIDATES)} grey-zone messages got the red-flag screen")
