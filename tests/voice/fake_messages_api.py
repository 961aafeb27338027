"""A local stand-in for Twilio's Messages API, for tests.

Serves `POST /2010-04-01/Accounts/<sid>/Messages.json` on 127.0.0.1, checks
HTTP basic auth against the account SID and token, records each text and
answers like Twilio (201 with the message's `sid`).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl


@dataclass
class FakeMessagesAPI:
    """The fake server; use as a context manager."""

    account_sid: str = "AC" + "1" * 32
    auth_token: str = "sms-test-token"
    # HTTP status to answer with instead of 201 (to play a failing Twilio).
    fail_with: Optional[int] = None
    sent: List[Dict[str, str]] = field(default_factory=list)
    refused: int = 0
    _server: Optional[ThreadingHTTPServer] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self, from_number: str = "+15550188") -> Dict[str, str]:
        """The environment that points the phone line at this fake."""
        return {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_AUTH_TOKEN": self.auth_token,
                "TWILIO_SMS_FROM": from_number, "TWILIO_API_URL": self.url}

    def __enter__(self) -> "FakeMessagesAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                api._handle(self)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: Dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(handler.rfile.read(length).decode()))
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        path_ok = handler.path == f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if handler.headers.get("Authorization") != expected or not path_ok:
            with self._lock:
                self.refused += 1
            self._reply(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        if self.fail_with:
            self._reply(handler, self.fail_with, {"code": 30001, "message": "Queue overflow", "status": self.fail_with})
            return
        sid = "SM" + uuid.uuid4().hex
        with self._lock:
            self.sent.append({"To": form.get("To", ""), "From": form.get("From", ""), "Body": form.get("Body", "")})
        self._reply(handler, 201, {"sid": sid, "to": form.get("To"), "from": form.get("From"),
                                   "body": form.get("Body"), "status": "queued", "account_sid": self.account_sid})
