/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-rawpeer: an HTTP server written in raw Ethernet frames, to play a
 * hostile TCP peer in the functional tests (see README.md).
 *
 * It owns an IPv4 address the kernel of its namespace does not have, and a
 * MAC address of its own: it answers ARP for them on an AF_PACKET socket,
 * and the kernel drops the frames sent to that MAC (they are for another
 * host), so the kernel's TCP never answers in its place. Just enough TCP
 * to answer one GET per connection with a generated body
 * (util/body_gen.h), "Connection: close" and a FIN; no retransmission (the
 * lab's veth loses nothing). Each --mode adds one misbehaviour, logged
 * line by line so a test can compare it with the client's counters.
 *
 * Plain C, Linux only, no DPDK.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/body_gen.h"

#define MAX_CONNS 1024          /* by the client's port: a slot each */
#define FRAME_MAX 1600
#define PEER_WINDOW 65535
#define FAR 4000000u            /* far outside any receive window */
#define ANSWER_MS 300           /* how long a hostile segment's answer is awaited */

enum mode {
	M_NORMAL,
	M_OPTS,          /* malformed-opts=VARIANT: the SYN-ACK's options */
	M_DUP,           /* every segment but pure ACKs sent twice */
	M_OOW,           /* out-of-window=VARIANT: one bad segment first */
	M_ICMP,          /* icmp-unreach=CODE: the SYN gets ICMP, no SYN-ACK */
	M_ICMP_BAD,      /* ICMP errors that must be ignored, then SYN-ACK */
	M_ICMP_FRAG,     /* fragmentation needed for the request, then answer */
	M_SILENT,        /* SYNs are never answered */
};

/* The SYN-ACK's option bytes for each malformed-opts variant. */
struct opt_variant {
	const char *name;
	uint8_t len;
	uint8_t bytes[16];
};

static const struct opt_variant opt_variants[] = {
	/* MSS, then an option of length 0 */
	{ "len0", 8, { 2, 4, 0x05, 0xb4, 30, 0, 0, 0 } },
	/* MSS, then an option of length 1 */
	{ "len1", 8, { 2, 4, 0x05, 0xb4, 30, 1, 0, 0 } },
	/* MSS, NOP NOP, timestamps of length 10 where 2 bytes are left */
	{ "overrun", 8, { 2, 4, 0x05, 0xb4, 1, 1, 8, 10 } },
	/* MSS of length 3, NOP */
	{ "mss3", 4, { 2, 3, 0x05, 1 } },
	/* MSS, NOP, window scale 15 (RFC 7323 2.3: at most 14) */
	{ "wscale15", 8, { 2, 4, 0x05, 0xb4, 1, 3, 3, 15 } },
	/* MSS, SACK-permitted of length 3, NOP */
	{ "sackperm3", 8, { 2, 4, 0x05, 0xb4, 4, 3, 0, 1 } },
	/* MSS, timestamps of length 6, NOP NOP */
	{ "ts6", 12, { 2, 4, 0x05, 0xb4, 8, 6, 0, 0, 0, 1, 1, 1 } },
	/* MSS, kind 253 (experimental, RFC 4727) length 4, kind 99 length 6,
	 * NOP NOP: unknown options, well formed */
	{ "unknown", 16, { 2, 4, 0x05, 0xb4, 253, 4, 0xab, 0xcd,
			   99, 6, 1, 2, 3, 4, 1, 1 } },
	/* MSS, End of Option List, then junk */
	{ "eol-junk", 8, { 2, 4, 0x05, 0xb4, 0, 3, 0xff, 8 } },
};

/* The out-of-window variants: what is sent before the response. */
static const char *const oow_variants[] = {
	"far", "old", "ack-unsent", "ack-old", "rst-out", "rst-in", "syn",
};

struct conn {
	bool used;
	bool answered;
	bool fin_sent;
	bool waiting;            /* for the answer to a hostile segment */
	struct timespec until;   /* ... at most until then */
	uint16_t cport;          /* host order */
	uint32_t caddr;          /* network order */
	uint8_t cmac[6];
	uint32_t iss;
	uint32_t irs;            /* the client's ISN */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;        /* what we ACK */
	uint32_t tail;           /* last 4 request bytes: finds CRLF CRLF */
	uint8_t syn[FRAME_MAX];  /* the SYN's IPv4 packet, for ICMP quotes */
	uint32_t syn_len;
};

static struct {
	const char *iface;
	uint32_t ip;             /* network order */
	uint8_t mac[6];
	uint16_t port;
	enum mode mode;
	const struct opt_variant *opts;
	const char *oow;
	int code;
	uint32_t body;
	uint64_t seed;
	uint32_t seg;
	FILE *log;
	const char *pidfile;
	int max_seconds;
	int fd;
	int ifindex;
	uint32_t isn_next;
	struct conn conns[MAX_CONNS];
} P = {
	.mac = { 0x02, 0x72, 0x70, 0, 0, 0x03 },
	.port = 80, .body = 5000, .seg = 1000, .max_seconds = 600,
	.isn_next = 0x10000000,
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
logf_(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (P.log == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(P.log, "%ld.%03ld ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(P.log, fmt, ap);
	va_end(ap);
	fputc('\n', P.log);
	fflush(P.log);
}

/* ------------------------------------------------------------------ */
/* Bytes and checksums (RFC 1071). */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
cksum(const uint8_t *p, size_t len, uint32_t sum)
{
	sum = sum16(p, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ------------------------------------------------------------------ */
/* Frames out. */

static void
send_frame(const uint8_t *f, size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_ifindex = P.ifindex,
		.sll_halen = 6,
	};

	memcpy(to.sll_addr, f, 6);
	if (sendto(P.fd, f, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		fprintf(stderr, "lm-rawpeer: sendto: %s\n", strerror(errno));
}

/* Ethernet and IPv4 headers at f; returns the IPv4 header. */
static uint8_t *
ip_frame(uint8_t *f, const uint8_t *dmac, uint32_t src, uint32_t dst,
	 uint8_t proto, uint32_t l4len)
{
	uint8_t *ih = f + 14;

	memcpy(f, dmac, 6);
	memcpy(f + 6, P.mac, 6);
	put16(f + 12, ETHERTYPE_IP);
	ih[0] = 0x45;
	ih[1] = 0;
	put16(ih + 2, (uint16_t)(20 + l4len));
	put16(ih + 4, 0);
	put16(ih + 6, 0x4000);      /* DF */
	ih[8] = 64;
	ih[9] = proto;
	put16(ih + 10, 0);
	memcpy(ih + 12, &src, 4);
	memcpy(ih + 16, &dst, 4);
	put16(ih + 10, cksum(ih, 20, 0));
	return ih;
}

/*
 * A TCP segment to the client of c: flags, seq, ack, the options given,
 * then len payload bytes from data (or junk when data is NULL).
 */
static void
send_seg(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	 const uint8_t *opts, uint32_t optlen, const uint8_t *data,
	 uint32_t len)
{
	uint8_t f[FRAME_MAX];
	uint32_t l4len = 20 + optlen + len;
	uint8_t *ih = ip_frame(f, c->cmac, P.ip, c->caddr, IPPROTO_TCP, l4len);
	uint8_t *th = ih + 20;
	uint32_t ps;

	put16(th, P.port);
	put16(th + 2, c->cport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	th[13] = flags;
	/* with a window shift of 14 (wscale15), 4 is a 64 KiB window */
	put16(th + 14, P.opts != NULL && strcmp(P.opts->name, "wscale15") == 0 &&
	      !(flags & 0x02) ? 4 : PEER_WINDOW);
	put16(th + 16, 0);
	put16(th + 18, 0);
	memcpy(th + 20, opts, optlen);
	for (uint32_t i = 0; i < len; i++)
		th[20 + optlen + i] = data != NULL ? data[i] : (uint8_t)'#';
	ps = get16(ih + 12) + get16(ih + 14) + get16(ih + 16) + get16(ih + 18) +
		IPPROTO_TCP + l4len;
	put16(th + 16, cksum(th, l4len, ps));
	send_frame(f, 14 + 20 + l4len);
}

/* Send a segment that carries something, twice in --mode dup. */
static void
send_data(const struct conn *c, uint8_t flags, uint32_t seq,
	  const uint8_t *opts, uint32_t optlen, const uint8_t *data,
	  uint32_t len)
{
	send_seg(c, flags, seq, c->rcv_nxt, opts, optlen, data, len);
	if (P.mode == M_DUP) {
		send_seg(c, flags, seq, c->rcv_nxt, opts, optlen, data, len);
		logf_("dup %u seq=%u len=%u flags=0x%02x", c->cport,
		      seq - c->iss, len, flags);
	}
}

/*
 * ICMP type 3 code `code` about c's SYN, from our address: the SYN's IPv4
 * header and the quote_tcp first bytes of its TCP header (RFC 792: at
 * least 8). seq_add moves the quoted sequence number; bad_csum spoils the
 * ICMP checksum.
 */
static void
send_icmp(const struct conn *c, int code, uint32_t quote_tcp,
	  uint32_t seq_add, bool bad_csum, uint16_t mtu)
{
	uint8_t f[FRAME_MAX];
	uint32_t qlen = 20 + quote_tcp;
	uint8_t *ih = ip_frame(f, c->cmac, P.ip, c->caddr, IPPROTO_ICMP,
			       8 + qlen);
	uint8_t *ic = ih + 20;

	ic[0] = 3;
	ic[1] = (uint8_t)code;
	put16(ic + 2, 0);
	put16(ic + 4, 0);
	put16(ic + 6, mtu);          /* next-hop MTU (RFC 1191), code 4 */
	memcpy(ic + 8, c->syn, qlen);
	put32(ic + 8 + 20 + 4, get32(c->syn + 20 + 4) + seq_add);
	put16(ic + 2, (uint16_t)(cksum(ic, 8 + qlen, 0) ^ (bad_csum ? 0x5a5a : 0)));
	send_frame(f, 14 + 20 + 8 + qlen);
}

/* ------------------------------------------------------------------ */
/* The misbehaviours of --mode out-of-window, before the response. */

static void
hostile(struct conn *c)
{
	const char *v = P.oow;
	uint8_t junk[100];

	memset(junk, '#', sizeof(junk));
	if (strcmp(v, "far") == 0)          /* data far past the window */
		send_seg(c, 0x18, c->snd_nxt + FAR, c->rcv_nxt, NULL, 0,
			 junk, 100);
	else if (strcmp(v, "old") == 0)     /* data all before RCV.NXT */
		send_seg(c, 0x18, c->snd_nxt - 100, c->rcv_nxt, NULL, 0,
			 junk, 100);
	else if (strcmp(v, "ack-unsent") == 0) /* in order, ACKs the future */
		send_seg(c, 0x18, c->snd_nxt, c->rcv_nxt + FAR, NULL, 0,
			 junk, 100);
	else if (strcmp(v, "ack-old") == 0) /* in order, ACK 4 MB behind */
		send_seg(c, 0x18, c->snd_nxt, c->rcv_nxt - FAR, NULL, 0, junk,
			 100);
	else if (strcmp(v, "rst-out") == 0)
		send_seg(c, 0x04, c->snd_nxt + FAR, 0, NULL, 0, NULL, 0);
	else if (strcmp(v, "rst-in") == 0)  /* in the window, not RCV.NXT */
		send_seg(c, 0x04, c->snd_nxt + 1000, 0, NULL, 0, NULL, 0);
	else if (strcmp(v, "syn") == 0)     /* a new SYN on the connection */
		send_seg(c, 0x02, c->iss + 0x01234567, 0, NULL, 0, NULL, 0);
	logf_("hostile %u %s", c->cport, v);
}

/* ------------------------------------------------------------------ */
/* TCP, just enough. */

static void
syn_ack(struct conn *c)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };

	if (P.mode == M_OPTS)
		send_data(c, 0x12, c->iss, P.opts->bytes, P.opts->len, NULL, 0);
	else
		send_data(c, 0x12, c->iss, mss, sizeof(mss), NULL, 0);
	logf_("syn-ack %u%s%s", c->cport, P.mode == M_OPTS ? " opts=" : "",
	      P.mode == M_OPTS ? P.opts->name : "");
}

static void
on_syn(struct conn *c)
{
	c->iss = P.isn_next;
	P.isn_next += 0x01000000;
	c->snd_nxt = c->iss + 1;
	logf_("syn %u", c->cport);
	switch (P.mode) {
	case M_SILENT:
		return;
	case M_ICMP:
		send_icmp(c, P.code, 20, 0, false, 0);
		logf_("icmp %u code=%d", c->cport, P.code);
		return;
	case M_ICMP_BAD:
		/* each would end the connection (port unreachable) if taken */
		send_icmp(c, 3, 20, 0, true, 0);
		logf_("icmp %u code=3 bad-checksum", c->cport);
		send_icmp(c, 3, 4, 0, false, 0);
		logf_("icmp %u code=3 truncated", c->cport);
		send_icmp(c, 3, 20, 100000, false, 0);
		logf_("icmp %u code=3 wrong-seq", c->cport);
		break;
	default:
		break;
	}
	syn_ack(c);
}

static void
respond(struct conn *c)
{
	char head[128];
	uint8_t buf[FRAME_MAX];
	uint32_t hlen, total, off = 0, n = 0;

	hlen = (uint32_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
				  "Content-Length: %u\r\nConnection: close\r\n\r\n",
				  P.body);
	total = hlen + P.body;
	while (off < total) {
		uint32_t len = total - off < P.seg ? total - off : P.seg;

		for (uint32_t i = 0; i < len; i++) {
			uint32_t k = off + i;

			if (k < hlen)
				buf[i] = (uint8_t)head[k];
			else
				lm_body_gen(P.seed, k - hlen, &buf[i], 1);
		}
		send_data(c, off + len == total ? 0x18 : 0x10, c->snd_nxt,
			  NULL, 0, buf, len);
		c->snd_nxt += len;
		off += len;
		n++;
	}
	send_data(c, 0x11, c->snd_nxt, NULL, 0, NULL, 0);   /* FIN */
	c->snd_nxt++;
	c->fin_sent = true;
	c->answered = true;
	logf_("response %u body=%u segments=%u", c->cport, P.body, n);
}

static void
tcp_input(const uint8_t *eth, const uint8_t *ih, uint32_t ihl, uint32_t tot)
{
	const uint8_t *th = ih + ihl;
	uint32_t thl = (uint32_t)(th[12] >> 4) * 4;
	uint16_t sport = get16(th);
	uint32_t seq = get32(th + 4);
	uint8_t flags = th[13];
	uint32_t len;
	struct conn *c = &P.conns[sport % MAX_CONNS];
	bool was_answered;

	if (thl < 20 || ihl + thl > tot || get16(th + 2) != P.port)
		return;
	len = tot - ihl - thl;
	if (flags & 0x04) {                 /* RST */
		if (c->used && c->cport == sport) {
			logf_("rst %u", sport);
			c->used = false;
		}
		return;
	}
	if ((flags & 0x12) == 0x02) {       /* SYN: a new connection */
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->cport = sport;
		memcpy(&c->caddr, ih + 12, 4);
		memcpy(c->cmac, eth + 6, 6);
		c->irs = seq;
		c->rcv_nxt = seq + 1;
		c->syn_len = tot < sizeof(c->syn) ? tot : sizeof(c->syn);
		memcpy(c->syn, ih, c->syn_len);
		on_syn(c);
		return;
	}
	if (!c->used || c->cport != sport)
		return;
	/* relative numbers: the client's stream offset, ours */
	logf_("rx %u flags=0x%02x seq=%u ack=%u len=%u", sport, flags,
	      seq - c->irs, get32(th + 8) - c->iss, len);
	was_answered = c->answered || c->waiting;
	if (len > 0 && seq == c->rcv_nxt) {
		const uint8_t *d = th + thl;

		for (uint32_t i = 0; i < len; i++)
			c->tail = c->tail << 8 | d[i];
		c->rcv_nxt += len;
		if (P.mode == M_ICMP_FRAG && !c->answered) {
			/* the request is in flight until ACKed: quote it */
			c->syn_len = tot < sizeof(c->syn) ? tot : sizeof(c->syn);
			memcpy(c->syn, ih, c->syn_len);
			send_icmp(c, 4, 20, 0, false, 576);
			logf_("icmp %u code=4 mtu=576", sport);
		}
		send_seg(c, 0x10, c->snd_nxt, c->rcv_nxt, NULL, 0, NULL, 0);
	}
	if ((flags & 0x01) && seq + len == c->rcv_nxt) { /* FIN */
		c->rcv_nxt++;
		logf_("fin %u", sport);
		send_seg(c, 0x10, c->snd_nxt, c->rcv_nxt, NULL, 0, NULL, 0);
	}
	if (!was_answered && c->tail == 0x0d0a0d0a) {
		if (P.mode == M_OOW) {
			/*
			 * The response waits for the answer (an ACK), or
			 * ANSWER_MS when none comes: in the log, the answer
			 * is then an ACK of nothing but the SYN-ACK.
			 */
			hostile(c);
			c->waiting = true;
			clock_gettime(CLOCK_MONOTONIC, &c->until);
			c->until.tv_nsec += ANSWER_MS * 1000000L;
			if (c->until.tv_nsec >= 1000000000L) {
				c->until.tv_sec++;
				c->until.tv_nsec -= 1000000000L;
			}
			return;
		}
		respond(c);
	} else if (c->waiting && len == 0 && (flags & 0x10)) {
		c->waiting = false;
		respond(c);
	}
}

/* Responses whose hostile segment drew no answer in time. */
static void
answer_timeouts(const struct timespec *now)
{
	for (uint32_t i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &P.conns[i];

		if (c->used && c->waiting &&
		    (now->tv_sec > c->until.tv_sec ||
		     (now->tv_sec == c->until.tv_sec &&
		      now->tv_nsec >= c->until.tv_nsec))) {
			c->waiting = false;
			logf_("no-answer %u", c->cport);
			respond(c);
		}
	}
}

static void
arp_input(const uint8_t *f, size_t len)
{
	const uint8_t *a = f + 14;
	uint8_t r[60];
	uint32_t tip;

	if (len < 14 + 28 || get16(a) != 1 || get16(a + 2) != ETHERTYPE_IP ||
	    get16(a + 6) != 1)
		return;
	memcpy(&tip, a + 24, 4);
	if (tip != P.ip)
		return;
	memset(r, 0, sizeof(r));
	memcpy(r, f + 6, 6);
	memcpy(r + 6, P.mac, 6);
	put16(r + 12, ETHERTYPE_ARP);
	memcpy(r + 14, a, 6);               /* hardware, protocol, sizes */
	put16(r + 20, 2);                   /* reply */
	memcpy(r + 22, P.mac, 6);
	memcpy(r + 28, &P.ip, 4);
	memcpy(r + 32, a + 8, 10);          /* the asker's MAC and IP */
	send_frame(r, sizeof(r));
}

static void
frame_input(const uint8_t *f, size_t len)
{
	const uint8_t *ih = f + 14;
	uint32_t ihl, tot, dst;

	if (len < 14)
		return;
	if (get16(f + 12) == ETHERTYPE_ARP) {
		arp_input(f, len);
		return;
	}
	if (get16(f + 12) != ETHERTYPE_IP || len < 14 + 20 ||
	    memcmp(f, P.mac, 6) != 0)
		return;
	ihl = (uint32_t)(ih[0] & 0x0f) * 4;
	tot = get16(ih + 2);
	memcpy(&dst, ih + 16, 4);
	if ((ih[0] >> 4) != 4 || ihl < 20 || tot < ihl + 20 || 14 + tot > len ||
	    dst != P.ip || ih[9] != IPPROTO_TCP)
		return;
	tcp_input(f, ih, ihl, tot);
}

/* ------------------------------------------------------------------ */
/* Set-up. */

static void
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: lm-rawpeer --iface IF --ip ADDR [--mac MAC] [--port N]\n"
		"                  [--mode MODE] [--body BYTES] [--seed S] [--seg BYTES]\n"
		"                  [--log FILE] [--pidfile FILE] [--max-seconds N]\n"
		"modes: normal, dup, silent, malformed-opts=VARIANT,\n"
		"       out-of-window=VARIANT, icmp-unreach=CODE, icmp-bad, icmp-frag\n");
	exit(rc);
}

static bool
parse_mode(const char *m)
{
	const char *eq = strchr(m, '=');
	const char *arg = eq != NULL ? eq + 1 : "";
	size_t n = eq != NULL ? (size_t)(eq - m) : strlen(m);
	char *end;

	if (eq == NULL && strcmp(m, "normal") == 0)
		P.mode = M_NORMAL;
	else if (eq == NULL && strcmp(m, "dup") == 0)
		P.mode = M_DUP;
	else if (eq == NULL && strcmp(m, "silent") == 0)
		P.mode = M_SILENT;
	else if (eq == NULL && strcmp(m, "icmp-bad") == 0)
		P.mode = M_ICMP_BAD;
	else if (eq == NULL && strcmp(m, "icmp-frag") == 0)
		P.mode = M_ICMP_FRAG;
	else if (n == 14 && strncmp(m, "malformed-opts", n) == 0) {
		P.mode = M_OPTS;
		for (size_t i = 0; i < sizeof(opt_variants) / sizeof(opt_variants[0]); i++)
			if (strcmp(arg, opt_variants[i].name) == 0)
				P.opts = &opt_variants[i];
		return P.opts != NULL;
	} else if (n == 13 && strncmp(m, "out-of-window", n) == 0) {
		P.mode = M_OOW;
		for (size_t i = 0; i < sizeof(oow_variants) / sizeof(oow_variants[0]); i++)
			if (strcmp(arg, oow_variants[i]) == 0)
				P.oow = oow_variants[i];
		return P.oow != NULL;
	} else if (n == 12 && strncmp(m, "icmp-unreach", n) == 0) {
		P.mode = M_ICMP;
		errno = 0;
		P.code = (int)strtol(arg, &end, 10);
		return errno == 0 && end != arg && *end == '\0' &&
			P.code >= 0 && P.code <= 15;
	} else {
		return false;
	}
	return true;
}

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-') {
		fprintf(stderr, "lm-rawpeer: bad number '%s'\n", s);
		usage(2);
	}
	return v;
}

static void
write_pidfile(void)
{
	char tmp[4096];
	FILE *f;

	if (P.pidfile == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", P.pidfile);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, P.pidfile) != 0) {
		fprintf(stderr, "lm-rawpeer: %s: %s\n", P.pidfile, strerror(errno));
		exit(1);
	}
}

static void
open_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };

	P.ifindex = (int)if_nametoindex(P.iface);
	if (P.ifindex == 0) {
		fprintf(stderr, "lm-rawpeer: %s: %s\n", P.iface, strerror(errno));
		exit(1);
	}
	P.fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (P.fd < 0) {
		fprintf(stderr, "lm-rawpeer: socket: %s\n", strerror(errno));
		exit(1);
	}
	sll.sll_ifindex = P.ifindex;
	mr.mr_ifindex = P.ifindex;
	/* frames to our own MAC are for another host as far as the device goes */
	if (bind(P.fd, (struct sockaddr *)&sll, sizeof(sll)) != 0 ||
	    setsockopt(P.fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		       sizeof(mr)) != 0) {
		fprintf(stderr, "lm-rawpeer: %s: %s\n", P.iface, strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "ip", required_argument, NULL, 'a' },
		{ "mac", required_argument, NULL, 'M' },
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "body", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "seg", required_argument, NULL, 'g' },
		{ "log", required_argument, NULL, 'l' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "max-seconds", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec t0, now;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': P.iface = optarg; break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &P.ip) != 1) {
				fprintf(stderr, "lm-rawpeer: bad address '%s'\n", optarg);
				usage(2);
			}
			break;
		case 'M':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				   &P.mac[0], &P.mac[1], &P.mac[2], &P.mac[3],
				   &P.mac[4], &P.mac[5]) != 6) {
				fprintf(stderr, "lm-rawpeer: bad MAC '%s'\n", optarg);
				usage(2);
			}
			break;
		case 'p': P.port = (uint16_t)number(optarg, 65535); break;
		case 'm':
			if (!parse_mode(optarg)) {
				fprintf(stderr, "lm-rawpeer: bad mode '%s'\n", optarg);
				usage(2);
			}
			break;
		case 'b': P.body = (uint32_t)number(optarg, 1u << 24); break;
		case 's': P.seed = number(optarg, UINT32_MAX); break;
		case 'g': P.seg = (uint32_t)number(optarg, 1400); break;
		case 'l':
			P.log = strcmp(optarg, "-") == 0 ? stdout :
				fopen(optarg, "a");
			if (P.log == NULL) {
				fprintf(stderr, "lm-rawpeer: %s: %s\n", optarg,
					strerror(errno));
				exit(1);
			}
			break;
		case 'P': P.pidfile = optarg; break;
		case 'x': P.max_seconds = (int)number(optarg, 86400); break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc || P.iface == NULL || P.ip == 0 || P.seg == 0 ||
	    P.max_seconds == 0)
		usage(2);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	open_socket();
	write_pidfile();
	fprintf(stderr, "lm-rawpeer: %s on %s\n", argv[0], P.iface);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		struct pollfd pfd = { .fd = P.fd, .events = POLLIN };
		uint8_t f[FRAME_MAX + 64];
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= P.max_seconds)
			break;
		if (P.mode == M_OOW)
			answer_timeouts(&now);
		if (poll(&pfd, 1, P.mode == M_OOW ? 10 : 100) <= 0)
			continue;
		n = recvfrom(P.fd, f, sizeof(f), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		/* our own frames come back as outgoing: not for us */
		if (n > 0 && from.sll_pkttype != PACKET_OUTGOING)
			frame_input(f, (size_t)n);
	}
	if (P.pidfile != NULL)
		unlink(P.pidfile);
	return 0;
}
