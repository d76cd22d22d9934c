#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""An HTTP/1.1 server that is slow to close, for the end-of-run tests.

  late_close.py --listen IP:PORT --delay-ms MS --log FILE --pidfile FILE
                [--max-seconds N]

Keep-alive HTTP/1.1: every request (a head, no body) gets
"200 OK" with the body "ok\\n". When the client closes (its FIN), the server
waits MS milliseconds before it closes in turn, so its FIN reaches the
client that long after the client's own: a client that gives its
connections up without waiting for that FIN leaves this side in LAST-ACK,
retransmitting the FIN to whoever uses the address next.

The log gets one line per request ("GET PATH") and one per connection that
the client closed ("eof"). Stops on SIGTERM or after --max-seconds.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
            b"Content-Type: text/plain\r\n\r\nok\n")


def serve(conn, delay, log, lock):
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                with lock:
                    log.write("eof\n")
                    log.flush()
                time.sleep(delay)
                return
            buf += data
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                parts = line.split(" ")
                with lock:
                    log.write(" ".join(parts[:2]) + "\n")
                    log.flush()
                conn.sendall(RESPONSE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--delay-ms", type=int, default=300)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--max-seconds", type=int, default=300)
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(1024)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.alarm(a.max_seconds)
    signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
    log = open(a.log, "a")
    lock = threading.Lock()
    with open(a.pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(a.pidfile + ".tmp", a.pidfile)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, daemon=True,
                         args=(conn, a.delay_ms / 1000.0, log, lock)).start()


if __name__ == "__main__":
    sys.exit(main())
