"""A raw HTTP/1.1 client for the HTTP-edge tests: what a streaming uploader sends (the
head, then the body piece by piece, chunked or not), never holding the whole body."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

MB = 1 << 20


def head(method: str, path: str, port: int, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def frame(chunk: bytes, chunked: bool) -> bytes:
    return b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk


def parse(raw: bytes) -> tuple[list[int], dict[str, str], bytes]:
    """Status codes (interim ones first), the final response's headers and body."""
    codes = []
    while True:
        top, _, raw = raw.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        assert lines[0].startswith("HTTP/1.1 "), top[:200]
        codes.append(int(lines[0].split()[1]))
        if codes[-1] >= 200:
            headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
            if headers.get("transfer-encoding") == "chunked":
                raw = dechunk(raw)
            return codes, headers, raw


def dechunk(raw: bytes) -> bytes:
    out = b""
    while True:
        size, _, raw = raw.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            return out
        out, raw = out + raw[:n], raw[n + 2 :]


async def raw_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: Iterable[bytes] = (),
    chunked: bool = False,
) -> tuple[list[int], dict[str, str], bytes]:
    """Send the head, then stream ``chunks`` while reading the answer until the server
    closes (it may stop reading the body and close first: that ends the sending)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if chunked:
        headers = {**headers, "Transfer-Encoding": "chunked"}
    writer.write(head(method, path, port, headers))

    async def send() -> None:
        try:
            for chunk in chunks:
                writer.write(frame(chunk, chunked))
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except OSError:
            pass

    sender = asyncio.ensure_future(send())
    got = b""
    try:
        while data := await asyncio.wait_for(reader.read(MB), 60):
            got += data
    except ConnectionResetError:
        pass
    sender.cancel()
    writer.close()
    return parse(got)


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
