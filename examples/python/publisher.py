#!/usr/bin/env python3
"""tablecast detection publisher (example for an existing Python vision process).

Connects to the tablecast gateway with a publisher token (an API key from `auth.api_keys` /
`publish.api_keys`, or a JWT whose role is `publisher` or `admin`), sends `publish` messages for the
`detection` stream and reads the server's `published` / `error` replies. Copy the `Publisher` class
into your process; the `main()` below is a small command-line driver.

Wire protocol (docs/AUTH.md, PROTOCOL.md section 3):

    -> {"type": "publish", "data": {"stream": "detection",
                                    "data": {"event_type": "card_detected", "severity": "info",
                                             "message": "...", "data": {...}}}}
    <- {"type": "published", "sequence": 0, "data": {"stream": "detection", "sequence": 42}}
    <- {"type": "error", "sequence": 0, "data": {"code": "INVALID_PAYLOAD", "message": "...",
                                                  "details": {"path": "data.severity"}}}

Every `publish` gets exactly one reply, in order, so replies are matched first-in first-out.
Subscribers read the events on `/ws/detection` (no auth) or by subscribing to `detection` on
`/api/v1/ws`.

Requires the `websockets` package (Debian: `apt-get install python3-websockets`; pip:
`pip install websockets`); works with websockets 10 and later.

Usage:
    python3 publisher.py --url ws://127.0.0.1:8000/api/v1/ws --token KEY --count 5
    python3 publisher.py --url ... --token KEY --event-type chip_moved --severity warning

Prints one JSON line per reply on stdout. Exit status: 0 when every event was published, 1 when
any was refused (error reply), 2 when the connection was refused or closed early.
"""

import argparse
import asyncio
import json
import sys
import time
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import websockets


class PublishRefused(Exception):
    """An `error` reply to a publish: code (e.g. INVALID_PAYLOAD, FORBIDDEN, RATE_LIMIT), message, details."""

    def __init__(self, code, message, details=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}


class ConnectionClosedEarly(Exception):
    """The server closed the connection (code and reason as sent, e.g. 4001 token expired)."""

    def __init__(self, code, reason):
        super().__init__(f"connection closed: {code} {reason}")
        self.code = code
        self.reason = reason


def with_query(url, **params):
    """Returns `url` with `params` added to its query string (the token travels as `?token=`)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: v for k, v in params.items() if v is not None})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class Publisher:
    """One publisher connection. Use `async with Publisher(url, token) as p: await p.publish(...)`."""

    def __init__(self, url, token, client_id=None):
        self.url = with_query(url, token=token, client_id=client_id)
        self.ws = None
        self.welcome = None
        self.close_code = None
        self.close_reason = ""
        self._pending = deque()
        self._reader = None

    async def __aenter__(self):
        await self.connect()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def connect(self):
        """Opens the socket and waits for the welcome `connection` message (its data has `role`)."""
        self.ws = await websockets.connect(self.url, max_size=2**22)
        try:
            first = json.loads(await self.ws.recv())
        except websockets.ConnectionClosed as e:
            raise ConnectionClosedEarly(*_close_info(e, self.ws))
        if first.get("type") != "connection":
            raise RuntimeError(f"expected the welcome message, got {first.get('type')}")
        self.welcome = first["data"]
        self._reader = asyncio.ensure_future(self._read())
        return self.welcome

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind in ("published", "error") and self._pending:
                    fut = self._pending.popleft()
                    if not fut.done():
                        if kind == "published":
                            fut.set_result(msg["data"])
                        else:
                            d = msg["data"]
                            fut.set_exception(PublishRefused(d.get("code"), d.get("message"), d.get("details")))
                # Other messages (stream data when subscribed, targeted sends) are ignored here.
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code, self.close_reason = _close_info(None, self.ws)
            while self._pending:
                fut = self._pending.popleft()
                if not fut.done():
                    fut.set_exception(ConnectionClosedEarly(self.close_code, self.close_reason))

    async def publish(self, stream, data):
        """Publishes `data` on `stream`; returns the `published` reply data ({stream, sequence}).

        Raises PublishRefused for an `error` reply, ConnectionClosedEarly when the socket closes first.
        """
        if self._reader is None or self._reader.done():
            raise ConnectionClosedEarly(self.close_code, self.close_reason)
        fut = asyncio.get_running_loop().create_future()
        self._pending.append(fut)
        await self.ws.send(json.dumps({"type": "publish", "data": {"stream": stream, "data": data}}))
        return await fut

    async def publish_detection(self, event_type, message="", severity="info", data=None):
        """Publishes one `detection` event (PROTOCOL section 5: event_type, severity, message, data)."""
        event = {"event_type": event_type, "severity": severity, "message": message}
        if data is not None:
            event["data"] = data
        return await self.publish("detection", event)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


def _close_info(exc, ws):
    code = getattr(ws, "close_code", None) if ws is not None else None
    reason = getattr(ws, "close_reason", "") if ws is not None else ""
    if code is None and exc is not None:
        rcvd = getattr(exc, "rcvd", None)
        code = getattr(rcvd, "code", None) or getattr(exc, "code", None)
        reason = getattr(rcvd, "reason", None) or getattr(exc, "reason", "") or ""
    return code, reason or ""


async def run(args):
    published = refused = 0
    try:
        async with Publisher(args.url, args.token, args.client_id) as pub:
            print(json.dumps({"type": "connected", "role": pub.welcome.get("role"), "client_id": pub.welcome.get("client_id")}), flush=True)
            for i in range(args.count):
                try:
                    r = await pub.publish_detection(
                        args.event_type,
                        message=f"{args.message} #{i + 1}",
                        severity=args.severity,
                        data={"index": i, "source": "python-example", "emitted_at": time.time()},
                    )
                    published += 1
                    print(json.dumps({"type": "published", "stream": r["stream"], "sequence": r["sequence"], "index": i}), flush=True)
                except PublishRefused as e:
                    refused += 1
                    print(json.dumps({"type": "error", "code": e.code, "message": e.message, "details": e.details, "index": i}), flush=True)
                if args.interval > 0:
                    await asyncio.sleep(args.interval)
    except ConnectionClosedEarly as e:
        print(json.dumps({"type": "closed", "code": e.code, "reason": e.reason}), flush=True)
        return 2
    except (OSError, websockets.InvalidHandshake) as e:
        print(json.dumps({"type": "closed", "code": None, "reason": str(e)}), flush=True)
        return 2
    print(json.dumps({"type": "done", "published": published, "refused": refused}), flush=True)
    return 0 if refused == 0 else 1


def main(argv=None):
    p = argparse.ArgumentParser(description="Publish detection events to a tablecast gateway.")
    p.add_argument("--url", default="ws://127.0.0.1:8000/api/v1/ws", help="gateway WebSocket URL")
    p.add_argument("--token", required=True, help="publisher API key or JWT (sent as ?token=)")
    p.add_argument("--client-id", default=None, help="stable client id (optional)")
    p.add_argument("--count", type=int, default=3, help="events to publish")
    p.add_argument("--interval", type=float, default=0.0, help="seconds between events")
    p.add_argument("--event-type", default="card_detected")
    p.add_argument("--severity", default="info", help="info | success | warning | error")
    p.add_argument("--message", default="detection from python")
    args = p.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
