#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the scenario seeds of fuzz_packet (tests/fuzz/fuzz_packet.c, whose
header comment gives the input format) into tests/fuzz/corpus/fuzz_packet/.

  tests/fuzz/gen_packet_seeds.py [DIR]

Each seed opens a connection (a peer's to our listener, or ours to the
peer) and walks it through a part of the state machine: data both ways,
out-of-order data held, the peer's FIN (CLOSE-WAIT, LAST-ACK), ours
(FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT), both at once (CLOSING), resets,
retransmissions, a zero window; and raw frames (ARP, ICMP, a SYN flood
that fills the TCB table). The fuzzer mutates them from there.
"""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS, WS, SACK, TS = 1, 2, 4, 8
RAW_ONLY, PASSIVE, ACTIVE, ACTIVE_SYN_SENT, PASSIVE_SYN_RCVD = 0, 1, 2, 3, 4
OUR_MAC = bytes.fromhex("020000000001")     # replaced (flags bit 0)
PEER_MAC = bytes.fromhex("020000000002")
OUR_IP = bytes([198, 18, 0, 1])
PEER_IP = bytes([198, 18, 0, 2])


def header(mode, opts=0, mss=116, wscale=7):
    return bytes([mode, opts, mss, wscale])


def seg(flags, seq=0, ack=0, win=65535, opts=b"", payload=b"", dt=0, cut=0):
    return (bytes([1 | cut << 3, dt, flags]) +
            struct.pack(">hhHB", seq, ack, win, len(opts)) + opts +
            struct.pack(">H", len(payload)) + payload)


def send(n, dt=0):
    return bytes([2, dt]) + struct.pack(">H", n)


def close(dt=0):
    return bytes([3, dt])


def abort(dt=0):
    return bytes([4, dt])


def icmp(type_, code, seq=0, mtu=0, dt=0):
    return bytes([5, dt, type_, code]) + struct.pack(">hH", seq, mtu)


def wait(dt):
    return bytes([6, dt])


def raw(frame, ours=True, dt=0, cut=0):
    return (bytes([0 | cut << 3, dt]) + struct.pack(">H", len(frame)) +
            bytes([1 if ours else 0]) + frame)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, l4, ident=1):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000,
                    64, proto, 0, PEER_IP, OUR_IP)
    return h[:10] + struct.pack(">H", csum(h)) + h[12:] + l4


def tcp_syn(sport, dport=80, seq=1000):
    opts = bytes([2, 4, 5, 0xB4])
    h = struct.pack(">HHIIBBHHH", sport, dport, seq, 0, (20 + len(opts)) // 4
                    << 4, SYN, 65535, 0, 0) + opts
    pseudo = PEER_IP + OUR_IP + struct.pack(">BBH", 0, 6, len(h))
    c = csum(pseudo + h)
    h = h[:16] + struct.pack(">H", c) + h[18:]
    return OUR_MAC + PEER_MAC + b"\x08\x00" + ipv4(6, h)


def ts_opt(val, ecr=0):
    return bytes([1, 1, 8, 10]) + struct.pack(">II", val, ecr)


REQ = b"GET /x HTTP/1.1\r\nHost: lab\r\n\r\n"

SEEDS = {
    # the peer's request, its FIN (CLOSE-WAIT), our answer and FIN
    # (LAST-ACK), its ACK (CLOSED)
    "passive_close_wait": header(PASSIVE, MSS | WS | SACK) +
    seg(ACK | PSH, payload=REQ) + seg(FIN | ACK) + send(3000) +
    seg(ACK, dt=1) + close() + seg(ACK, dt=1),
    # data past a hole: held (the mbufs come back at the teardown)
    "passive_ooo_held": header(PASSIVE, MSS | SACK) +
    seg(ACK, seq=1000, payload=b"b" * 500) +
    seg(ACK, seq=2000, payload=b"c" * 300) + wait(5),
    # the hole filled: everything delivered in order
    "passive_ooo_filled": header(PASSIVE, MSS | SACK) +
    seg(ACK, seq=500, payload=b"b" * 500) + seg(ACK, payload=b"a" * 500) +
    seg(FIN | ACK, seq=500),
    # timestamps on every segment
    "passive_timestamps": header(PASSIVE, MSS | WS | SACK | TS) +
    seg(ACK | PSH, opts=ts_opt(2, 1), payload=REQ) + send(2000) +
    seg(ACK, opts=ts_opt(3, 1), dt=1) + seg(FIN | ACK, opts=ts_opt(4, 1)) +
    close() + seg(ACK, opts=ts_opt(5, 1)),
    # our data lost: RTO retransmissions, a partial ACK, duplicate ACKs
    "passive_retransmit": header(PASSIVE, MSS | SACK) + send(8000) +
    wait(120) + wait(255) + seg(ACK, ack=-6000) + seg(ACK, ack=-6000) +
    seg(ACK, ack=-6000) + seg(ACK, ack=-6000) + wait(50) + abort(),
    # our request, the peer's answer, our FIN (FIN-WAIT-1), its ACK
    # (FIN-WAIT-2), its FIN (TIME-WAIT), then TIME-WAIT ends
    "active_time_wait": header(ACTIVE, MSS) + send(200) + seg(ACK) +
    seg(ACK | PSH, payload=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") +
    close() + seg(ACK) + seg(FIN | ACK) + wait(200),
    # both FINs cross: CLOSING, then TIME-WAIT
    "active_closing": header(ACTIVE, MSS | WS) + close() +
    seg(FIN | ACK, ack=-1) + seg(ACK, seq=1) + wait(150),
    # FIN-WAIT-2 left waiting: its timer ends it
    "active_fin_wait_2": header(ACTIVE, MSS) + close() + seg(ACK) +
    wait(255) + wait(255) + wait(255) + wait(255) + wait(255),
    # a reset in the middle of our data
    "active_reset": header(ACTIVE, MSS | SACK) + send(3000) +
    seg(ACK, ack=-2000) + seg(RST | ACK),
    # a zero window: persist probes, then it opens
    "active_zero_window": header(ACTIVE, MSS | WS) + seg(ACK, win=0) +
    send(1000) + wait(100) + wait(200) + seg(ACK, win=65535) + seg(ACK),
    # SACK blocks from the peer
    "active_sack": header(ACTIVE, MSS | SACK) + send(10000) +
    seg(ACK, ack=-9000, opts=bytes([1, 1, 5, 10]) +
        struct.pack(">II", 0, 0)) + seg(ACK, ack=-9000) +
    seg(ACK, ack=-9000) + seg(ACK, ack=-9000) + wait(30) + seg(ACK),
    # ICMP errors quoting our segments: port unreachable ends a SYN-SENT
    # connection (and one in SYN-RECEIVED); net unreachable is remembered
    # until the SYN times out; fragmentation needed changes nothing; a
    # quote of a sequence number not in flight is not ours
    "icmp_syn_sent_port_unreach": header(ACTIVE_SYN_SENT, MSS) +
    icmp(3, 3),
    "icmp_syn_rcvd_port_unreach": header(PASSIVE_SYN_RCVD, MSS) +
    icmp(3, 3),
    "icmp_syn_sent_net_unreach": header(ACTIVE_SYN_SENT) + icmp(3, 0) +
    b"".join(wait(255) for _ in range(14)),
    "icmp_frag_needed_established": header(ACTIVE, MSS) + send(3000) +
    icmp(3, 4, mtu=576) + seg(ACK),
    "icmp_unmatched": header(ACTIVE, MSS) + send(100) +
    icmp(3, 3, seq=-1000),
    # SYNs from 20 ports: the table (16 TCBs) fills up
    "raw_syn_flood": header(RAW_ONLY) +
    b"".join(raw(tcp_syn(30000 + i)) for i in range(20)) + wait(100),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "corpus", "fuzz_packet")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
