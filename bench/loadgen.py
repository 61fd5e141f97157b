"""A small HTTP/1.1 load client on asyncio streams (standard library only).

Every request opens a fresh TCP connection and sends ``Connection: close``: each request is
one member's phone pressing one button, so connection set-up is part of what is measured.
Requests are sent closed-loop: at most ``concurrency`` in flight; the next starts as soon as
one is answered. Loopback only.
"""

import asyncio
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    tag: object = None  # the caller's, handed back with the result

    def encode(self, host: str, port: int) -> bytes:
        body = urlencode(self.form).encode() if self.form is not None else b""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or self.method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Result:
    request: Request
    status: int = 0
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    started: float = 0.0
    latency: float = 0.0
    error: str = ""

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for raw in self.headers.get("set-cookie", []):
            jar.load(raw)
        return {name: morsel.value for name, morsel in jar.items()}


def _parse(raw: bytes, result: Result) -> None:
    head, _sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    result.status = int(lines[0].split(" ", 2)[1])
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        result.headers.setdefault(name.strip().lower(), []).append(value.strip())
    if result.header("transfer-encoding").lower() == "chunked":
        body = _dechunk(body)
    result.body = body


def _dechunk(data: bytes) -> bytes:
    out, pos = [], 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            break
        out.append(data[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


async def _one(host: str, port: int, request: Request, timeout: float) -> Result:
    result = Result(request)
    raw_request = request.encode(host, port)
    result.started = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(raw_request)
            await writer.drain()
            raw = await reader.read()  # the server closes after the response
        _parse(raw, result)
    except (OSError, TimeoutError, ValueError, IndexError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        result.latency = time.perf_counter() - result.started
        if writer is not None:
            writer.close()
    return result


@dataclass
class Run:
    results: list[Result]
    wall: float  # seconds from the first request sent to the last answer
    cpu: dict[str, float] = field(default_factory=dict)  # filled by the caller, if it measures

    @property
    def per_second(self) -> float:
        return len(self.results) / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        """Latency at percentile ``p`` (nearest rank), in milliseconds."""
        latencies = sorted(r.latency for r in self.results)
        if not latencies:
            return 0.0
        rank = max(1, min(len(latencies), round(p / 100 * len(latencies) + 0.5)))
        return latencies[rank - 1] * 1000

    def count(self, status: int) -> int:
        return sum(r.status == status for r in self.results)

    def errors(self) -> list[Result]:
        return [r for r in self.results if r.error]


async def _run(host: str, port: int, requests: list[Request], concurrency: int, timeout: float):
    queue = list(reversed(requests))
    results: list[Result] = []

    async def worker() -> None:
        while queue:
            results.append(await _one(host, port, queue.pop(), timeout))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(requests)))))
    return Run(results=results, wall=time.perf_counter() - started)


def run(
    host: str, port: int, requests: list[Request], *, concurrency: int, timeout: float = 30.0
) -> Run:
    """Send ``requests`` in order, at most ``concurrency`` at a time; bounded by their number
    and by ``timeout`` per request."""
    if host not in LOOPBACK:
        raise ValueError(f"the bench only loads loopback addresses, not {host!r}")
    return asyncio.run(_run(host, port, requests, concurrency, timeout))
