#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A small HTTP/1.1 client for the server tests, written apart from
lemmings-dp so that it checks our server from the outside.

  http_probe.py gen SIZE SEED
      the SHA-256 of a generated body (util/body_gen.h: byte i is byte i % 8,
      little-endian, of splitmix64(seed + (i / 8) * golden) after one step)
  http_probe.py pipeline HOST PORT PATH...
      send one request per PATH in a single write (pipelining), then read
      the responses; print one line per response: STATUS LENGTH SHA256
  http_probe.py raw HOST PORT TEXT
      send TEXT (\\r and \\n escapes understood), print the first response's
      status line, then "closed" if the server closed the connection after
      it, else "open"
"""
import hashlib
import socket
import sys

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def splitmix64(state):
    z = (state + GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def gen(size, seed):
    out = bytearray()
    block = 0
    while len(out) < size:
        v = splitmix64((seed + block * GOLDEN) & MASK)
        out += v.to_bytes(8, "little")
        block += 1
    return bytes(out[:size])


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def line(self):
        while b"\r\n" not in self.buf:
            if not self.fill():
                raise EOFError("connection closed in a head")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def take(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise EOFError("connection closed in a body")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self, head_request=False):
        status = int(self.line().split(" ")[1])
        length = 0
        close = False
        while True:
            line = self.line()
            if line == "":
                break
            name, value = line.split(":", 1)
            if name.lower() == "content-length":
                length = int(value.strip())
            if name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        body = b"" if head_request else self.take(length)
        return status, length, body, close

    def at_eof(self):
        if self.buf:
            return False
        self.sock.settimeout(2)
        try:
            return not self.fill()
        except socket.timeout:
            return False


def connect(host, port):
    s = socket.create_connection((host, int(port)), timeout=5)
    return s, Reader(s)


def main(argv):
    if len(argv) == 4 and argv[1] == "gen":
        print(hashlib.sha256(gen(int(argv[2]), int(argv[3]))).hexdigest())
        return 0
    if len(argv) >= 5 and argv[1] == "pipeline":
        s, r = connect(argv[2], argv[3])
        paths = argv[4:]
        s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p.encode()
                           for p in paths))
        for _ in paths:
            status, length, body, _ = r.response()
            print(status, length, hashlib.sha256(body).hexdigest())
        s.close()
        return 0
    if len(argv) == 5 and argv[1] == "raw":
        s, r = connect(argv[2], argv[3])
        text = argv[4].replace("\\r", "\r").replace("\\n", "\n")
        s.sendall(text.encode("latin-1"))
        status, _, _, _ = r.response(head_request=text.startswith("HEAD"))
        print(status)
        print("closed" if r.at_eof() else "open")
        s.close()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
