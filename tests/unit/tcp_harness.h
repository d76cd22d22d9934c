/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness shared by the unit tests of the userspace TCP (dataplane/tcp/)
 * and the layers under it (Ethernet, ARP, IPv4, ICMP), run through the real
 * worker code over a DPDK net_ring port. Each test_tcp_*.c links it and
 * holds the tests of one subject, as lwIP's test suite does.
 *
 * The test plays the peer (198.18.0.2:80, RFC 2544 benchmarking range):
 * it crafts Ethernet/IPv4/TCP frames byte by byte (its own checksum code,
 * independent of DPDK's), puts them on the port's RX ring, runs one pass of
 * the worker loop, takes what the worker sent off the TX ring and parses it
 * into a struct that the tests check field by field (flags, sequence and
 * acknowledgment numbers, window, options, payload, both checksums).
 *
 * Time is virtual: pass() does what lm_worker_poll() does (RX burst ->
 * input -> timers -> application -> pending ACKs -> TX flush) but with
 * w->now taken from a clock the test advances, so retransmission timers of
 * minutes run in microseconds and every test is deterministic.
 * lm_worker_poll() itself (which reads the TSC) drives the tests that need
 * no timer (ARP, ICMP, segments for no connection).
 *
 * The application is a recorder: it counts the callbacks, keeps the bytes it
 * receives, and fill() produces byte (off * 7 + 3) & 0xff at stream offset
 * off, so any (re)transmitted payload can be checked byte for byte. The
 * peer's payload is (off * 13 + 5) & 0xff at its own stream offset.
 *
 * Each binary runs its own EAL (its file prefix is the binary's name), so
 * the binaries can run in parallel.
 */
#ifndef LM_TCP_HARNESS_H
#define LM_TCP_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "worker.h"
#include "net/arp.h"
#include "net/eth.h"
#include "net/port.h"
#include "tcp/tcp.h"

#define N_WORKERS 3          /* the worker under test is worker 1 of 3 */
#define WORKER_ID 1
#define N_TCBS 16
#define N_CONNS 4            /* connections a test may hold at once */
#define POOL_SIZE 1023
#define RING_SIZE 1024
#define MAX_OUT 64           /* frames one pass may send */
#define MAX_FRAME 2048
#define RX_MAX 65536         /* bytes the recorder app keeps */
#define TIMER_BUDGET 512     /* as the worker loop */
#define APP_BUDGET 256

/* not RTE_IPV4: in DPDK 22.11 it shifts an int, undefined for a >= 128 */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define OUR_IP IP4(198, 18, 0, 1)
#define PEER_IP IP4(198, 18, 0, 2)
#define OTHER_IP IP4(198, 18, 0, 3)
#define STRANGER_IP IP4(198, 18, 0, 4)
#define PEER_PORT 80
#define OUR_MSS 1460         /* MTU 1500 - 40 (RFC 6691) */
#define WND_MAX 65535

#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_PSH RTE_TCP_PSH_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG

#define MS 1000ull           /* microseconds */
#define SEC 1000000ull

extern const struct rte_ether_addr peer_mac;
extern const struct rte_ether_addr other_mac;
extern const struct rte_ether_addr stranger_mac;
extern const struct rte_ether_addr zero_mac;
extern const struct rte_ether_addr bcast_mac;

/* ------------------------------------------------------------------ */
/* A frame the worker sent, parsed. Numbers in host order. */

struct out_frame {
	uint8_t raw[MAX_FRAME];
	uint32_t len;
	struct rte_ether_addr eth_dst;
	struct rte_ether_addr eth_src;
	uint16_t ether_type;
	/* ARP */
	uint16_t arp_op;
	struct rte_ether_addr arp_sha;
	struct rte_ether_addr arp_tha;
	uint32_t arp_sip;
	uint32_t arp_tip;
	/* IPv4 */
	uint32_t ip_src;
	uint32_t ip_dst;
	uint8_t proto;
	uint8_t ttl;
	uint16_t ip_frag;            /* flags and fragment offset */
	bool ip_csum_ok;
	/* TCP */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint32_t optlen;
	const uint8_t *opts;
	bool tcp_csum_ok;
	/* ICMP */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;
	uint16_t icmp_seq;
	bool icmp_csum_ok;
	/* TCP payload, or ICMP echo data */
	uint32_t paylen;
	const uint8_t *payload;
};

/* The recording application on top of a connection. */
struct app {
	unsigned int n_connected;
	unsigned int n_recv;
	unsigned int n_peer_closed;
	unsigned int n_closed;
	unsigned int n_fill;
	int why;                     /* enum lm_tcp_end of closed() */
	uint32_t last_recv_len;
	uint32_t rx_len;
	uint8_t rx[RX_MAX];
};

/* A connection as the test sees it. */
struct conn {
	struct app app;
	struct lm_tcb *tcb;
	uint16_t lport;              /* host order */
	uint32_t iss;                /* ours, read off the SYN */
	uint32_t irs;                /* the peer's ISS, chosen by the test */
};

/* Our sequence number of stream offset off, and the peer's. */
#define SND(c, off) ((uint32_t)((c)->iss + 1u + (uint32_t)(off)))
#define RCV(c, off) ((uint32_t)((c)->irs + 1u + (uint32_t)(off)))

struct tcp_env {
	struct rte_mempool *pool;
	struct rte_ring *rx;         /* what the port receives: we enqueue */
	struct rte_ring *tx;         /* what the port sends: we dequeue */
	uint16_t port;
	bool port_up;
	struct lm_netif nif;
	struct lm_plan plan;
	void *stats_area;
	struct lm_worker *w;
	uint64_t now;                /* virtual TSC */
	uint64_t arp_at;             /* virtual TSC of the last ARP refresh */
	uint16_t ip_id;
	unsigned int pool_avail;     /* free mbufs once set up: leak check */
	struct out_frame out[MAX_OUT];
	unsigned int n_out;
	bool peer_sack;              /* open_conn's SYN-ACK permits SACK */
	struct conn *accept_into;    /* the next passive connection's recorder */
};

extern struct tcp_env env;
/* The recorder's callbacks (accept: env.accept_into, or refuse). */
extern const struct lm_tcp_ops test_ops;
extern struct conn conns[N_CONNS];

/* A TCP segment from the peer. */
struct seg {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss;                /* 0: no MSS option */
	bool sack_perm;              /* NOP NOP SACK-permitted (RFC 2018) */
	const uint8_t *opts;         /* raw option bytes instead (a multiple of 4) */
	uint32_t optlen;
	uint32_t len;                /* payload: peer_byte() from data_off */
	uint32_t data_off;
	const uint8_t *payload;      /* or these len bytes, when not NULL */
	uint32_t split;              /* payload bytes in mbuf 1; 0: one mbuf */
	bool bad_tcp_csum;
	bool bad_ip_csum;
};

static inline uint8_t
our_byte(uint32_t off)
{
	return (uint8_t)(off * 7 + 3);
}

static inline uint8_t
peer_byte(uint32_t off)
{
	return (uint8_t)(off * 13 + 5);
}

/* Whether the app received exactly the peer's stream bytes [0, rx_len). */
bool rx_intact(const struct app *a);

/* ------------------------------------------------------------------ */
/* Frames from the peer. */

/* Put a frame on the port's RX ring (split: see frame_mbuf()). */
void inject(uint8_t *frame, uint32_t len, uint32_t split);
void peer_send(const struct seg *s);
/* A segment of c from the peer; the payload is the peer's stream at seq. */
void peer_seg(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	      uint16_t win, uint32_t len);
void inject_arp(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
		const struct rte_ether_addr *tha, uint32_t tip,
		const struct rte_ether_addr *eth_dst);
void inject_echo(uint16_t id, uint16_t seq, uint32_t len, bool bad_csum);

/*
 * An ICMP error (type, code) from the peer quoting what c sent: an IPv4
 * header from us to the peer and the first quote_tcp bytes of a TCP header
 * with our port, the peer's and sequence number seq. split: see inject();
 * bad_csum spoils the ICMP checksum.
 */
struct icmp_err {
	uint8_t type;
	uint8_t code;
	uint32_t seq;
	uint32_t quote_tcp;          /* 0: 20 */
	uint8_t quote_proto;         /* 0: TCP */
	uint32_t quote_src;          /* 0: OUR_IP */
	uint8_t quote_ihl;           /* 0: 5 (no IP options) */
	uint32_t split;
	bool bad_csum;
};
void inject_icmp_err(const struct conn *c, const struct icmp_err *e);

/* ------------------------------------------------------------------ */
/* Frames from the worker. */

/* Take everything the worker sent off the TX ring, free it and parse it. */
void collect(void);

/* The one frame the last pass sent (a macro: failures show the caller). */
#define one_out() \
	(assert_int_equal(env.n_out, 1), (const struct out_frame *)&env.out[0])

/* The value of the MSS option, -1 when there is none. */
int opt_mss(const struct out_frame *f);
/* Whether f carries an option of this kind (2 MSS, 3 WS, 4 SACK-permitted, 8 TS). */
bool opt_has(const struct out_frame *f, uint8_t kind);
/* The blocks of the SACK option (at most 4), their count; -1: none. */
int opt_sack(const struct out_frame *f, uint32_t lo[4], uint32_t hi[4]);
/* Whether f is a valid TCP segment of connection c, to the peer. */
bool is_seg_of(const struct out_frame *f, const struct conn *c);
/* Whether f's payload is our stream's bytes at its sequence number. */
bool payload_ok(const struct out_frame *f, const struct conn *c);

/* A TCP segment of c with exactly these flags, numbers and payload size. */
#define assert_seg(f, c, fl, sq, ak, ln) do { \
	assert_true(is_seg_of((f), (c))); \
	assert_int_equal((f)->flags, (fl)); \
	assert_int_equal((f)->seq, (uint32_t)(sq)); \
	assert_int_equal((f)->ack, (uint32_t)(ak)); \
	assert_int_equal((f)->paylen, (ln)); \
} while (0)

/* A data segment of c: ACK (and PSH), the right bytes. */
#define assert_data(f, c, off, ln) do { \
	assert_true(is_seg_of((f), (c))); \
	assert_int_equal((f)->flags & ~TH_PSH, TH_ACK); \
	assert_int_equal((f)->seq, SND((c), (off))); \
	assert_int_equal((f)->paylen, (ln)); \
	assert_true(payload_ok((f), (c))); \
} while (0)

/* ------------------------------------------------------------------ */
/* The worker loop, on virtual time. */

/* One pass of the worker loop at virtual time env.now; parse what it sent. */
void pass(void);
/* Let us microseconds pass, then run a pass. */
void advance_us(uint64_t us);
/* The real loop body, lm_worker_poll(), for tests that need no timer. */
void real_poll(void);

/* ------------------------------------------------------------------ */
/* Connections. */

/* Make the worker's next initial sequence number iss. */
void set_next_iss(uint32_t iss);
struct lm_tcb *connect_peer(struct conn *c);
/*
 * Open a connection: connect, take the SYN, answer rtt_us later with a
 * SYN-ACK (peer ISS irs, MSS option mss or none when 0, window win) and
 * take our ACK. With env.peer_sack the SYN-ACK permits SACK.
 */
void open_conn(struct conn *c, uint32_t irs, uint16_t mss, uint16_t win,
	       uint64_t rtt_us);
/* Send len bytes at our stream offset off and have the peer ACK them. */
void send_acked(struct conn *c, uint32_t off, uint32_t len);

/* ------------------------------------------------------------------ */
/* Set-up and tear-down, and the test every binary ends with. */

int setup_group(void **state);
int teardown_group(void **state);
int setup_test(void **state);
int teardown_test(void **state);
/* Every mbuf the tests and the stack took is back in the pool. */
void test_no_mbuf_leak(void **state);

#define T(f) cmocka_unit_test_setup_teardown(f, setup_test, teardown_test)

#endif /* LM_TCP_HARNESS_H */
