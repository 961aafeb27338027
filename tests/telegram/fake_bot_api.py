"""A local stand-in for the Telegram Bot API, for tests.

Serves `POST /bot<token>/<method>` on 127.0.0.1 and answers like Telegram
(`{"ok": true, "result": ...}`), recording every call. aiogram sends its
parameters form-encoded, with `reply_markup` and lists as JSON strings; the
recorded parameters have those decoded back.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl

JSON_FIELDS = ("reply_markup", "allowed_updates")


@dataclass
class Call:
    """One Bot API request."""

    token: str
    method: str
    params: Dict[str, Any]


@dataclass
class FakeBotAPI:
    """The fake server; use as a context manager or call start() and stop()."""

    bot_username: str = "mfr_clinic_bot"
    port: int = 0
    # method name (lower case) -> (HTTP status, description), to play a failing Telegram
    failures: Dict[str, Tuple[int, str]] = field(default_factory=dict)
    calls: List[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Optional[ThreadingHTTPServer] = None
    _next_message_id: int = 1

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeBotAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                api._handle(self)

            def do_GET(self) -> None:
                api._handle(self)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- what the bot did -------------------------------------------------

    def calls_to(self, method: str, chat_id: Optional[int] = None) -> List[Call]:
        with self._lock:
            calls = list(self.calls)
        return [
            c for c in calls
            if c.method.lower() == method.lower() and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def sent_to(self, chat_id: int) -> List[Dict[str, Any]]:
        """Parameters of every sendMessage to this chat, in order."""
        return [c.params for c in self.calls_to("sendMessage", chat_id)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.1)
        raise TimeoutError("the fake Bot API did not see the expected calls")

    # -- serving ----------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = handler.path.split("?")[0].strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = parts[0][3:], parts[1]
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        params = self._params(handler.headers.get("Content-Type") or "", body)
        with self._lock:
            self.calls.append(Call(token, method, params))
        status, answer = self._answer(method, params)
        self._reply(handler, status, answer)

    @staticmethod
    def _params(content_type: str, body: bytes) -> Dict[str, Any]:
        if not body:
            return {}
        if content_type.startswith("application/json"):
            return dict(json.loads(body))
        params: Dict[str, Any] = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in JSON_FIELDS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _answer(self, method: str, params: Dict[str, Any]) -> "tuple[int, Dict[str, Any]]":
        name = method.lower()
        if name in self.failures:
            status, description = self.failures[name]
            return status, {"ok": False, "error_code": status, "description": description}
        if name == "getme":
            return 200, {"ok": True, "result": {
                "id": 123, "is_bot": True, "first_name": "MFR assistant", "username": self.bot_username,
            }}
        if name in ("setwebhook", "deletewebhook"):
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if name == "answercallbackquery":
            return 200, {"ok": True, "result": True}
        if name == "editmessagetext":
            if not params.get("text") or not params.get("message_id"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message can't be edited"}
            return 200, {"ok": True, "result": {"message_id": int(params["message_id"]), "text": params["text"],
                                                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                                                "date": int(time.time())}}
        if name == "sendmessage":
            text = params.get("text") or ""
            if not text:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            if len(text.encode("utf-16-le")) // 2 > 4096:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
            with self._lock:
                message_id = self._next_message_id
                self._next_message_id += 1
            chat_id = int(params.get("chat_id", 0))
            message: Dict[str, Any] = {
                "message_id": message_id,
                "from": {"id": 123, "is_bot": True, "first_name": "MFR assistant", "username": self.bot_username},
                "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
                "date": int(time.time()),
                "text": text,
            }
            if params.get("reply_markup") and "inline_keyboard" in params["reply_markup"]:
                message["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, payload: Dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
