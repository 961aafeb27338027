"""Twilio-shaped requests and TwiML reading for the voice channel tests."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Dict, List, Optional

import httpx
from twilio.request_validator import RequestValidator

WEBHOOK = "/webhooks/twilio_voice/webhook"


def new_caller() -> str:
    """A fresh fake caller number (the 555-01xx range is reserved for fiction)."""
    return "+1555" + str(uuid.uuid4().int)[:7]


def twilio_form(
    caller: str, call_sid: str, status: str = "in-progress", speech: Optional[str] = None,
    digits: Optional[str] = None,
) -> Dict[str, str]:
    """The fields Twilio posts for a voice call (blank ones included, as Twilio sends them)."""
    form = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Called": "+15550199",
        "Caller": caller,
        "CallerCity": "",
        "CallerState": "",
        "Direction": "inbound",
        "From": caller,
        "FromCity": "",
        "To": "+15550199",
    }
    if speech is not None:
        form["SpeechResult"] = speech
        form["Confidence"] = "0.91"
    if digits is not None:
        # What <Gather input="dtmf speech"> posts after a key press.
        form["Digits"] = digits
        form["FinishedOnKey"] = ""
    return form


def sign(token: str, url: str, form: Dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio would send."""
    return RequestValidator(token).compute_signature(url, form)


@dataclass
class TwiML:
    """A parsed TwiML reply."""

    root: ET.Element

    @property
    def says(self) -> List[str]:
        return [el.text or "" for el in self.root.iter("Say")]

    @property
    def spoken(self) -> str:
        return " ".join(self.says)

    @property
    def gather(self) -> Optional[ET.Element]:
        return self.root.find("Gather")

    @property
    def prompt(self) -> List[str]:
        """What is said inside <Gather> (the question the caller answers)."""
        gather = self.gather
        return [el.text or "" for el in gather.iter("Say")] if gather is not None else []

    @property
    def dial(self) -> Optional[str]:
        """The number dialled (a `<Dial>`'s `<Number>`, or its text)."""
        el = self.root.find("Dial")
        if el is None:
            return None
        number = el.find("Number")
        return ((number if number is not None else el).text or "").strip()

    @property
    def whisper_url(self) -> Optional[str]:
        number = self.root.find("Dial/Number")
        return None if number is None else number.get("url")


def parse_twiml(text: str) -> TwiML:
    root = ET.fromstring(text)
    assert root.tag == "Response"
    return TwiML(root)


class Call:
    """One phone call: posts signed Twilio requests for one caller."""

    def __init__(self, base_url: str, token: str, caller: Optional[str] = None) -> None:
        self.url = base_url + WEBHOOK
        self.token = token
        self.caller = caller or new_caller()
        self.sid = "CA" + uuid.uuid4().hex
        self.http = httpx.Client(timeout=30)

    def post(self, form: Dict[str, str], signature: Optional[str] = "valid") -> httpx.Response:
        headers = {}
        if signature == "valid":
            headers["X-Twilio-Signature"] = sign(self.token, self.url, form)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.http.post(self.url, data=form, headers=headers)

    def turn(self, form: Dict[str, str]) -> TwiML:
        r = self.post(form)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/xml")
        return parse_twiml(r.text)

    def ring(self) -> TwiML:
        return self.turn(twilio_form(self.caller, self.sid, status="ringing"))

    def say(self, speech: str) -> TwiML:
        return self.turn(twilio_form(self.caller, self.sid, speech=speech))

    def press(self, digits: str) -> TwiML:
        return self.turn(twilio_form(self.caller, self.sid, digits=digits))

    def silence(self) -> TwiML:
        return self.turn(twilio_form(self.caller, self.sid))

    def dial_ended(self, status: str) -> TwiML:
        """Twilio's request to the `<Dial action>` when the transfer ends (`DialCallStatus`)."""
        form = twilio_form(self.caller, self.sid)
        form.update(DialCallStatus=status, DialCallDuration="0")
        return self.turn(form)

    def whisper(self, base_url: str, path_and_query: str, signature: Optional[str] = "valid") -> httpx.Response:
        """The request Twilio makes for the whisper when the clinic answers (the clinic's leg of the call)."""
        url = base_url + path_and_query
        form = twilio_form("+15550199", "CA" + uuid.uuid4().hex, status="in-progress")
        form["ParentCallSid"] = self.sid
        headers = {}
        if signature == "valid":
            headers["X-Twilio-Signature"] = sign(self.token, url, form)
        return self.http.post(url, data=form, headers=headers)
