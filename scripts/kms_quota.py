"""A KMS stand-in with an account-wide request quota: an HTTP/1.1 proxy in front of the moto
emulator that answers `ThrottlingException` (HTTP 400, as AWS KMS does) to requests beyond Q per
second, and forwards the others.

    .venv/bin/python scripts/kms_quota.py --upstream 127.0.0.1:PORT --rate 500 [--port 0]

It prints `listening on PORT` once ready. The quota is a token bucket refilled at `--rate`
requests per second holding at most `--burst` (default: one second's worth), shared by every
connection, as KMS's quota is shared by every caller of an account and region.
`GET /__stats` answers the counts so far as JSON (`forwarded`, `throttled`, by `X-Amz-Target`
operation, and the requests moto has not answered yet: `in_flight`); `POST /__reset` zeroes the
counts and refills the bucket. Standard library only.
"""

import argparse
import asyncio
import json
import time
import uuid


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.reset()

    def reset(self):
        self.tokens, self.last = self.burst, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.forwarded, self.throttled = {}, {}
        self.in_flight = 0

    def count(self, table, operation):
        table[operation] = table.get(operation, 0) + 1

    def json(self):
        return json.dumps({
            "forwarded": sum(self.forwarded.values()),
            "throttled": sum(self.throttled.values()),
            "in_flight": self.in_flight,
            "by_operation": {"forwarded": self.forwarded, "throttled": self.throttled},
        })


async def read_message(reader):
    """One HTTP/1.1 message head and its `Content-Length` body, or None at end of stream."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return lines[0], lines[1:], headers, body


def response(status, headers, body):
    head = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


THROTTLED = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()


async def forward(upstream, start, header_lines, body):
    """The request sent to moto on a connection of its own; moto's answer, whole."""
    reader, writer = await asyncio.open_connection(*upstream)
    kept = [l for l in header_lines if l and not l.lower().startswith(("connection:", "keep-alive:"))]
    writer.write(("\r\n".join([start] + kept + ["Connection: close", "", ""])).encode("latin-1") + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, payload = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 1)[1]
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() not in ("connection", "keep-alive", "content-length", "transfer-encoding"):
            headers.append((name.strip(), value.strip()))
    if any(l.lower().startswith("transfer-encoding: chunked") for l in lines[1:]):
        payload = dechunk(payload)
    return status, headers, payload


def dechunk(data):
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


def serve(args):
    bucket = Bucket(args.rate, args.burst or args.rate)
    stats = Stats()
    host, port = args.upstream.rsplit(":", 1)
    upstream = (host, int(port))

    async def client(reader, writer):
        try:
            while True:
                try:
                    start, header_lines, headers, body = await read_message(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, path = start.split(" ")[:2]
                if path == "/__stats":
                    writer.write(response("200 OK", [("Content-Type", "application/json")], stats.json().encode()))
                elif path == "/__reset" and method == "POST":
                    stats.reset()
                    bucket.reset()
                    writer.write(response("200 OK", [], b""))
                else:
                    operation = headers.get("x-amz-target", "?").split(".")[-1]
                    if bucket.take():
                        stats.count(stats.forwarded, operation)
                        stats.in_flight += 1
                        try:
                            status, answer_headers, payload = await forward(upstream, start, header_lines, body)
                        finally:
                            stats.in_flight -= 1
                        writer.write(response(status, answer_headers, payload))
                    else:
                        stats.count(stats.throttled, operation)
                        writer.write(response("400 Bad Request", [
                            ("Content-Type", "application/x-amz-json-1.1"),
                            ("x-amzn-RequestId", str(uuid.uuid4())),
                        ], THROTTLED))
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(client, "127.0.0.1", args.port, backlog=4096)
        print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="moto's HOST:PORT")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--burst", type=float, default=0, help="bucket size [default: --rate]")
    parser.add_argument("--port", type=int, default=0, help="port to listen on [default: any free]")
    serve(parser.parse_args())
