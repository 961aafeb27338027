"""Serves the chat widget's demo page (web/) for development and the browser tests.

    python web/serve.py                       # http://localhost:8080/, Rasa at http://localhost:5005
    python web/serve.py --port 8081 --server-url http://127.0.0.1:5006

The page embeds the widget with one tag. When --server-url (or --clinic-name)
is given, the page is served with a `window.MFRChatConfig` block in front of
that tag; without them the widget uses its defaults (Rasa at
http://localhost:5005). The Rasa server must allow the page's origin
(credentials.yml `cors_allowed_origins`, or ALLOWED_ORIGINS).

Only the page, the widget and the vendored socket.io client are served, and
the staff dashboard under /staff (insights/dashboard.py: behind the password
in STAFF_PASSWORD, off without it). The page itself needs the standard library
only; the dashboard needs the project's virtual environment. The socket.io
client is copied into web/vendor/ by `npm ci` in web/.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import ClassVar, Dict, Optional

WEB = Path(__file__).resolve().parent
MARKER = "<!-- mfr-chat-config -->"
SERVED = ("/", "/index.html", "/widget.js", "/favicon.ico")
SERVED_DIRS = ("/vendor/",)


def config_block(settings: Dict[str, str]) -> str:
    """An inline script setting window.MFRChatConfig; safe inside <script>."""
    data = json.dumps(settings).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<script>window.MFRChatConfig = Object.assign(window.MFRChatConfig || {{}}, {data});</script>"


STAFF_PREFIX = "/staff"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from web/, an allow-list of paths, no caching; /staff goes to the dashboard."""

    settings: ClassVar[Dict[str, str]] = {}
    dashboard: ClassVar[Optional[object]] = None

    def _staff(self, method: str) -> bool:
        """Answers a /staff request through the dashboard; False for any other path."""
        path = self.path.split("?", 1)[0]
        if path != STAFF_PREFIX and not path.startswith(STAFF_PREFIX + "/"):
            return False
        if self.dashboard is None:
            self.send_error(404)
            return True
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        body = self.rfile.read(length) if length > 0 else b""
        answer = self.dashboard.handle(method, self.path, dict(self.headers.items()), body)  # type: ignore[attr-defined]
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() != "cache-control":  # end_headers adds no-store
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)
        return True

    def do_POST(self) -> None:
        """POST is for the dashboard's login and logout only."""
        if not self._staff("POST"):
            self.send_error(405)

    def end_headers(self) -> None:
        """Adds headers to every response."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _allowed(self) -> bool:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if ".." in path or "/." in path:
            return False
        return path in SERVED or any(path.startswith(d) and len(path) > len(d) for d in SERVED_DIRS)

    def do_GET(self) -> None:
        """GET, limited to the allow-list; the page gets the config block."""
        if self._staff("GET"):
            return
        if not self._allowed():
            self.send_error(404)
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html") and self.settings:
            page = (WEB / "index.html").read_text(encoding="utf-8")
            body = page.replace(MARKER, config_block(self.settings), 1).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        """HEAD, limited to the allow-list."""
        if not self._allowed():
            self.send_error(404)
            return
        super().do_HEAD()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet unless MFR_WEB_LOG is set."""
        if os.environ.get("MFR_WEB_LOG"):
            super().log_message(format, *args)


def staff_dashboard() -> Optional[object]:
    """The staff dashboard, or None when the project's environment is not installed (no /staff then)."""
    try:
        from insights.dashboard import StaffDashboard
    except ImportError as error:
        print(f"Staff dashboard unavailable ({error}); run `make install`.", file=sys.stderr)
        return None
    dashboard = StaffDashboard()
    print(f"Staff dashboard: /staff ({'on' if dashboard.on else 'off: set STAFF_PASSWORD to turn it on'})",
          flush=True)
    return dashboard


def main(argv: Optional[list] = None) -> int:
    """Parses the arguments and serves until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--bind", default=os.environ.get("WEB_BIND", "127.0.0.1"))
    parser.add_argument("--server-url", default=os.environ.get("RASA_SERVER_URL"), help="the Rasa server")
    parser.add_argument("--clinic-name", default=os.environ.get("CLINIC_NAME"))
    args = parser.parse_args(argv)

    if not (WEB / "vendor" / "socket.io.min.js").exists():
        print("web/vendor/socket.io.min.js is missing: run `npm ci` in web/ first", file=sys.stderr)
        return 1
    settings: ClassVar[Dict[str, str]] = {}
    if args.server_url:
        settings["serverUrl"] = args.server_url
    if args.clinic_name:
        settings["clinicName"] = args.clinic_name
    handler = partial(type("ConfiguredHandler", (Handler,), {"settings": settings, "dashboard": staff_dashboard()}),
                      directory=str(WEB))
    server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    print(f"Chat widget demo: http://{'localhost' if args.bind == '127.0.0.1' else args.bind}:{args.port}/ "
          f"(Rasa: {settings.get('serverUrl', 'http://localhost:5005')})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
