"""HTTP plumbing of the fake Zalo server: parse requests into `Recorded`, write `Reply` with keep-alive.

Kept lean for the 100,000-send benchmark: no logging, one write per response, TCP_NODELAY.
"""

from __future__ import annotations

import email
import email.policy
import json
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from tests.fakezalo_state import Recorded, Reply


class Responder(Protocol):
    def respond(self, req: Recorded) -> Reply: ...

    def crashed(self, error: BaseException) -> None: ...


class FakeHttpServer(ThreadingHTTPServer):
    """Loopback server on an ephemeral port; one daemon thread per connection."""

    daemon_threads = True

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts, closed sessions) are normal here; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: FakeHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: per-request logging would dominate the benchmark."""

    def do_GET(self) -> None:
        try:
            reply = self.server.responder.respond(self._read())
        except Exception as error:  # a bug in the fake: report it at close(), answer 500 now
            self.server.responder.crashed(error)
            reply = Reply(500, b"fake Zalo crashed", "text/plain")
        self._write(reply)

    do_POST = do_GET

    def _read(self) -> Recorded:
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        raw = self.rfile.read(int(headers.get("content-length", 0) or 0))
        ctype = headers.get("content-type", "")
        body: Any = None
        form: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if ctype.startswith("application/json") and raw:
            body = _json_or_none(raw)
        elif ctype.startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        elif ctype.startswith("multipart/form-data"):
            form, files = _multipart(ctype, raw)
        return Recorded(self.command, url.path, headers, dict(parse_qsl(url.query, keep_blank_values=True)),
                        body, form, time.time(), files)

    def _write(self, reply: Reply) -> None:
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = ""
        head = (f"HTTP/1.1 {reply.status} {phrase}\r\nContent-Type: {reply.content_type}; charset=utf-8\r\n"
                f"Content-Length: {len(reply.body)}\r\n")
        if reply.location:
            head += f"Location: {reply.location}\r\n"
        try:
            self.wfile.write(head.encode() + b"\r\n" + reply.body)
        except OSError:  # the client gave up (e.g. its timeout fired during a Delay)
            self.close_connection = True


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _multipart(ctype: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    message = email.message_from_bytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw,
                                       policy=email.policy.HTTP)
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), content)
        else:
            form[name] = content.decode()
    return form, files
