#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile clients for lemmings-dp's HTTP API (tests/func/test_api_abuse.sh),
standard library only.

  api_abuse.py watch --port P [--host H] [--src ADDR] --seconds S
                     [--interval I] [--timeout T] [--until FILE [--after A]]
                     --out FILE
      a well-behaved client: every I seconds (default 0.2) a new connection
      and one GET, in turn /api/stats, /metrics, /api/status, for S seconds
      at most, or until A seconds (default 3) after FILE appears; writes
      {"requests", "ok", "statuses", "max_ms", "p99_ms", "errors": [...]}

  api_abuse.py abuse --port P [--host H] --token T --seconds S
                     [--src-base N] [--flood N] [--slow N] --out FILE
      everything at once for S seconds, each kind of client from addresses
      of its own (127.0.0.N and up; the API limits connections per
      address): malformed and oversized requests one at a time (each kind
      with the outcomes it may get), truncated requests, slow clients (a
      byte a second, reconnecting when cut) and a flood of clients polling
      /metrics and /api/stats on keep-alive connections; writes a JSON
      report (see report() below)

Outcomes of a request: the status code as a string, "closed" (the server
closed the connection without an answer), "reset", or "timeout" (neither
an answer nor a close within the time given).
"""
import argparse
import asyncio
import json
import os
import random
import socket
import time

HOST = "127.0.0.1"


def now():
    return time.monotonic()


# ---- one request on a blocking socket (run in a thread) ----

def exchange(host, port, src, data, timeout=5.0, half_close=False,
             abort=False):
    """Send data, read the answer; returns the outcome."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.bind((src, 0))
        s.connect((host, port))
        try:
            s.sendall(data)
            if abort:
                return "sent"
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass        # answered early and closed: the answer may be there
        buf = b""
        while b"\r\n" not in buf:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return status_of(buf) or "reset"
            except socket.timeout:
                return status_of(buf) or "timeout"
            if not chunk:
                return status_of(buf) or "closed"
            buf += chunk
        return status_of(buf) or "garbage"
    finally:
        s.close()


def status_of(buf):
    if not buf.startswith(b"HTTP/1."):
        return None
    line = buf.split(b"\r\n", 1)[0].split(b" ")
    return line[1].decode() if len(line) > 1 else None


# ---- the malformed and oversized requests ----

def post(path, body, token, ctype="application/json", extra=b""):
    head = (f"POST {path} HTTP/1.1\r\nHost: api\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n").encode() + extra + b"\r\n"
    return head + body


def cases(token):
    """(name, request bytes, outcomes allowed, options) for each abuse.
    No case may ever be answered 2xx: a 202 would change the run."""
    rnd = random.Random(7)
    huge_headers = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000)
                            for i in range(1024))
    c = [
        ("huge_headers", b"GET /metrics HTTP/1.1\r\nHost: api\r\n" +
         huge_headers + b"\r\n", {"431", "413", "400", "closed", "reset"}),
        ("huge_request_line", b"GET /metrics?" + b"a" * (1 << 20) +
         b" HTTP/1.1\r\nHost: api\r\n\r\n",
         {"414", "431", "400", "closed", "reset"}),
        ("huge_body_declared", post("/api/load", b"", token)
         .replace(b"Content-Length: 0", b"Content-Length: 104857600") +
         b'{"rate": ' + b"1" * 65536, {"413"}),
        ("huge_body_chunked", (
            f"POST /api/load HTTP/1.1\r\nHost: api\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode() +
         b"".join(b"10000\r\n" + b" " * 65536 + b"\r\n" for _ in range(24)) +
         b"0\r\n\r\n", {"413", "closed", "reset"}),
        ("content_length_overflow", post("/api/load", b"{}", token)
         .replace(b"Content-Length: 2", b"Content-Length: " + b"9" * 40),
         {"400", "413"}),
        ("content_length_negative", post("/api/load", b"{}", token)
         .replace(b"Content-Length: 2", b"Content-Length: -2"), {"400"}),
        ("content_length_twice", post("/api/load", b'{"rate": 5}', token,
                                      extra=b"Content-Length: 3\r\n"),
         {"400"}),
        ("length_and_chunked", post("/api/load", b'{"rate": 5}', token,
                                    extra=b"Transfer-Encoding: chunked\r\n"),
         {"400"}),
        ("truncated_head", b"GET /metrics HTTP/1.1\r\nHost: api\r\nX-Cut",
         {"closed", "400", "reset"}, {"half_close": True}),
        ("truncated_body", post("/api/load", b'{"rate": 5}', token)[:-5],
         {"closed", "400", "reset"}, {"half_close": True}),
        ("bad_method", b"FROB /metrics HTTP/1.1\r\nHost: api\r\n\r\n",
         {"405"}),
        ("bad_method_chars", b"G\x01T /metrics HTTP/1.1\r\nHost: api\r\n\r\n",
         {"400", "405", "closed"}),
        ("get_on_post_route", b"GET /api/load HTTP/1.1\r\nHost: api\r\n\r\n",
         {"405"}),
        ("unknown_route", b"GET /../../etc/passwd HTTP/1.1\r\nHost: api\r\n"
         b"\r\n", {"404", "400"}),
        ("bad_version", b"GET /metrics HTTP/9.9\r\nHost: api\r\n\r\n",
         {"505", "400"}),
        ("bad_version_text", b"GET /metrics HTTQ/1.1\r\nHost: api\r\n\r\n",
         {"505", "400", "closed"}),
        ("http09", b"GET /metrics\r\n\r\n", {"400", "505", "closed"}),
        ("no_host", b"GET /metrics HTTP/1.1\r\n\r\n", {"200", "400"}),
        ("nul_in_header", b"GET /metrics HTTP/1.1\r\nHost: api\r\n"
         b"X-A: b\x00c\r\n\r\n", {"400", "closed", "200"}),
        ("junk_line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" +
         bytes(rnd.randrange(256) for _ in range(500)) + b"\r\n\r\n",
         {"400", "505", "closed", "reset"}),
        ("bad_json", post("/api/load", b"{", token), {"400"}),
        ("json_not_object", post("/api/load", b"[1, 2]", token), {"400"}),
        ("json_string_value", post("/api/load", b'{"rate": "ten"}', token),
         {"400"}),
        ("json_two_keys", post("/api/load", b'{"rate": 1, "users": 2}',
                               token), {"400"}),
        ("json_duplicate_key", post("/api/load", b'{"rate": 1, "rate": 2}',
                                    token), {"400"}),
        ("json_not_utf8", post("/api/load", b'{"rate\xff\xfe": 1}', token),
         {"400"}),
        ("json_deep", post("/api/load", b"[" * 100000 + b"]" * 100000,
                           token), {"400", "413"}),
        ("json_nan", post("/api/load", b'{"rate": NaN}', token), {"400"}),
        ("huge_real", post("/api/load", b'{"rate": 1e999}', token), {"400"}),
        ("huge_integer", post("/api/load", b'{"rate": 1' + b"0" * 400 + b"}",
                              token), {"400"}),
        ("huge_users", post("/api/load", b'{"users": 1e300}', token),
         {"400", "409"}),
        ("negative_rate", post("/api/load", b'{"rate": -1000}', token),
         {"400"}),
        ("zero_rate", post("/api/load", b'{"rate": 0}', token), {"400"}),
        ("users_in_open_model", post("/api/load", b'{"users": 5}', token),
         {"409"}),
        ("form_content_type", post("/api/load", b"rate=5", token,
                                   "application/x-www-form-urlencoded"),
         {"400"}),
        ("multipart_content_type", post(
            "/api/load", b'--x\r\nContent-Disposition: form-data; '
            b'name="rate"\r\n\r\n5\r\n--x--\r\n', token,
            "multipart/form-data; boundary=x"), {"400"}),
        ("stop_body_not_json", post("/api/stop", b"now please", token,
                                    "text/plain"), {"400"}),
        ("no_token", post("/api/stop", b"", "x").replace(
            b"Authorization: Bearer x\r\n", b""), {"401"}),
        ("wrong_token", post("/api/stop", b"", token + "x"), {"401"}),
        ("token_prefix", post("/api/stop", b"", token[:-1]), {"401"}),
        ("basic_auth", post("/api/stop", b"", "x").replace(
            b"Bearer x", b"Basic dXNlcjpwYXNz"), {"401"}),
        ("huge_token", post("/api/stop", b"", "t" * 12000),
         {"401", "431", "closed", "reset"}),
        ("wrong_token_rate", post("/api/load", b'{"rate": 1e308}',
                                  "not-" + token), {"401"}),
    ]
    return [(x[0], x[1], x[2], x[3] if len(x) > 3 else {}) for x in c]


async def oneshots(a, src, end, rep):
    """Every case once per round, rounds until the end (at least one)."""
    rounds = 0
    while True:
        for name, data, allowed, opt in cases(a.token):
            out = await asyncio.to_thread(exchange, a.host, a.port, src,
                                          data, 5.0, **opt)
            r = rep.setdefault(name, {"allowed": sorted(allowed),
                                      "outcomes": {}, "bad": 0})
            r["outcomes"][out] = r["outcomes"].get(out, 0) + 1
            if out not in allowed:
                r["bad"] += 1
        rounds += 1
        if now() >= end:
            return rounds


async def truncations(a, src, end, counts):
    """Requests cut off mid-head at every byte in turn, a hundred a second:
    the connection closed at once (abort), or half-closed and the answer
    awaited (the server must close it: "closed", or a 400)."""
    head = b"GET /api/stats HTTP/1.1\r\nHost: api\r\nUser-Agent: cut\r\n"
    i = 0
    while now() < end:
        cut = 1 + i % (len(head) - 1)
        abort = i % 2 == 0
        out = await asyncio.to_thread(exchange, a.host, a.port, src,
                                      head[:cut], 3.0, half_close=not abort,
                                      abort=abort)
        counts[out] = counts.get(out, 0) + 1
        i += 1
        await asyncio.sleep(0.01)


# ---- slow clients ----

async def slow_client(a, src, end, life, post_body):
    """A byte a second; when cut, the lifetime is noted and it starts over.
    post_body: the head at once (a POST with a token), then the body a
    byte a second; else the head itself a byte a second, without end."""
    if post_body:
        first = (f"POST /api/load HTTP/1.1\r\nHost: api\r\n"
                 f"Authorization: Bearer {a.token}\r\n"
                 f"Content-Length: 1000\r\n\r\n").encode()
        data = b" " * 1000
    else:
        first = b""
        data = b"GET /metrics HTTP/1.1\r\nHost: api\r\nX-Slow: " + b"s" * 10000
    while now() < end:
        t0 = now()
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(
                a.host, a.port, local_addr=(src, 0)), 5)
        except (OSError, asyncio.TimeoutError):
            life["refused"] += 1
            await asyncio.sleep(0.5)
            continue
        life["connections"] += 1
        cut = False
        try:
            w.write(first)
            i = 0
            while now() < end and i < len(data):
                w.write(data[i:i + 1])
                await w.drain()
                i += 1
                try:
                    got = await asyncio.wait_for(r.read(4096), 1.0)
                except asyncio.TimeoutError:
                    continue
                if not got:
                    cut = True
                    break
                life["answered"] += 1    # an answer to half a request?
        except (ConnectionError, OSError):
            cut = True
        finally:
            w.close()
        if cut:
            life["cut"] += 1
            life["max_life_s"] = max(life["max_life_s"], now() - t0)
        else:
            life["alive_at_end"] += 1


# ---- the flood ----

async def read_response(r):
    head = await r.readuntil(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode()
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await r.readexactly(length)
    return status


async def poller(a, src, end, st, k):
    paths = ["/metrics", "/api/stats"]
    while now() < end:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(
                a.host, a.port, local_addr=(src, 0)), 5)
        except (OSError, asyncio.TimeoutError):
            st["connect_errors"] += 1
            await asyncio.sleep(0.2)
            continue
        try:
            while now() < end:
                t0 = now()
                w.write(f"GET {paths[k % 2]} HTTP/1.1\r\nHost: api\r\n\r\n"
                        .encode())
                k += 1
                status = await asyncio.wait_for(read_response(r), 15)
                st["statuses"][status] = st["statuses"].get(status, 0) + 1
                st["max_ms"] = max(st["max_ms"], (now() - t0) * 1000)
        except (ConnectionError, OSError, asyncio.IncompleteReadError,
                asyncio.TimeoutError, ValueError, IndexError):
            st["dropped"] += 1          # cut for room, or refused
        finally:
            w.close()


async def abuse(a):
    end = now() + a.seconds
    base = a.src_base
    addr = lambda i: f"127.0.0.{base + i}"
    rep = {"oneshot": {}, "truncated": {}, "slow": {}, "flood": {}}
    slow = {k: 0 for k in ("connections", "refused", "cut", "alive_at_end",
                           "answered")}
    slow["max_life_s"] = 0.0
    flood = {"statuses": {}, "connect_errors": 0, "dropped": 0, "max_ms": 0.0}
    tasks = []
    # slow clients: 50 per address, under the API's 64 per address
    for i in range(a.slow):
        tasks.append(slow_client(a, addr(i // 50), end, slow,
                                 post_body=(i % 5 == 4)))
    nslow = (a.slow + 49) // 50
    for i in range(a.flood):
        tasks.append(poller(a, addr(nslow + i // 50), end, flood, i))
    nflood = (a.flood + 49) // 50
    oneshot_src = addr(nslow + nflood)
    trunc_src = addr(nslow + nflood + 1)
    tasks.append(truncations(a, trunc_src, end, rep["truncated"]))
    rounds = oneshots(a, oneshot_src, end, rep["oneshot"])
    res = await asyncio.gather(rounds, *tasks)
    rep["oneshot_rounds"] = res[0]
    rep["slow"] = slow
    rep["flood"] = flood
    rep["flood"]["ok"] = flood["statuses"].get("200", 0)
    rep["flood"]["5xx"] = sum(n for s, n in flood["statuses"].items()
                              if s.startswith("5"))
    rep["bad"] = sorted(n for n, r in rep["oneshot"].items() if r["bad"])
    return rep


# ---- the well-behaved client ----

def get(host, port, src, path, timeout):
    t0 = now()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.bind((src, 0))
        s.connect((host, port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: api\r\n"
                  f"Connection: close\r\n\r\n".encode())
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        status = status_of(buf) or "closed"
        head, _, body = buf.partition(b"\r\n\r\n")
        if status == "200" and path != "/metrics":
            json.loads(body)            # a whole document
        return status, (now() - t0) * 1000
    except (OSError, ValueError) as e:
        return type(e).__name__, (now() - t0) * 1000
    finally:
        s.close()


def watch(a):
    paths = ["/api/stats", "/metrics", "/api/status"]
    end = now() + a.seconds
    lat, statuses, errors = [], {}, []
    i = 0
    after = None
    while now() < end and (after is None or now() < after):
        if after is None and a.until and os.path.exists(a.until):
            after = now() + a.after
        t_next = now() + a.interval
        status, ms = get(a.host, a.port, a.src, paths[i % 3], a.timeout)
        statuses[status] = statuses.get(status, 0) + 1
        lat.append(ms)
        if status != "200":
            errors.append(f"{time.strftime('%H:%M:%S')} {paths[i % 3]} "
                          f"{status} {ms:.0f} ms")
        i += 1
        time.sleep(max(0.0, t_next - now()))
    lat.sort()
    return {"requests": len(lat), "ok": statuses.get("200", 0),
            "statuses": statuses, "errors": errors[:20],
            "max_ms": lat[-1] if lat else 0,
            "p99_ms": lat[int(len(lat) * 0.99)] if lat else 0}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["watch", "abuse"])
    p.add_argument("--host", default=HOST)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--src", default="127.0.0.1")
    p.add_argument("--src-base", type=int, default=2)
    p.add_argument("--token", default="")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--until", default="")
    p.add_argument("--after", type=float, default=3.0)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--flood", type=int, default=200)
    p.add_argument("--slow", type=int, default=100)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.mode == "watch":
        rep = watch(a)
    else:
        rep = asyncio.run(abuse(a))
    with open(a.out, "w") as f:
        json.dump(rep, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
