"""The web server around the dashboard: Streamlit on Starlette (st.App), with one addition.

`streamlit run dashboard.py` finds `app` in dashboard.py and serves it. The wall screen
(/display) would otherwise paint white until its first script run sends the dark style (the
app-wide light theme of .streamlit/config.toml): `FirstPaint` puts that style into the HTML
page itself, so the screen is dark from the first frame. Other pages are served unchanged.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etl.output.display.render import CSS


class FirstPaint:
    """ASGI middleware: the HTML page of `path` gets `style` at the end of its <head>."""

    def __init__(self, app: ASGIApp, path: str, style: str) -> None:
        self.app, self.path, self.style = app, path.rstrip("/"), style.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        # Whole and uncompressed, so that the page can be edited (a few kilobytes); never a
        # "304 not modified" for a copy cached before the style changed.
        dropped = (b"accept-encoding", b"if-none-match", b"if-modified-since", b"range")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]
        start: Message | None = None
        body = b""

        async def edit(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            kept = [
                (k, v)
                for k, v in start["headers"]
                if k.lower() not in (b"content-length", b"etag", b"last-modified")
            ]
            if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in kept):
                body = body.replace(b"</head>", self.style + b"</head>", 1)
            await send({**start, "headers": [*kept, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app({**scope, "headers": headers}, receive, edit)


MIDDLEWARE = [Middleware(FirstPaint, path="/display", style=str(CSS))]
