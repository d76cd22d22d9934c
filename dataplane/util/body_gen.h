/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generated bodies: N pseudo-random bytes defined by a seed, computed at
 * any offset in O(1), so a sender stores nothing and a retransmission
 * regenerates exactly the same bytes. Byte i is byte i % 8 (little-endian)
 * of lm_body_gen_block(seed, i / 8). Test servers use the same function
 * to check what they receive.
 */
#ifndef LM_BODY_GEN_H
#define LM_BODY_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/splitmix.h"

static inline uint64_t
lm_body_gen_block(uint64_t seed, uint64_t block)
{
	uint64_t s = seed + block * UINT64_C(0x9e3779b97f4a7c15);

	return lm_splitmix64(&s);
}

/* Write bytes [off, off + len) of the body defined by seed into dst. */
static inline void
lm_body_gen(uint64_t seed, uint64_t off, uint8_t *dst, size_t len)
{
	while (len > 0) {
		uint64_t v = lm_body_gen_block(seed, off / 8);
		unsigned int i = (unsigned int)(off % 8);

		for (; i < 8 && len > 0; i++, len--, off++)
			*dst++ = (uint8_t)(v >> (8 * i));
	}
}

#endif /* LM_BODY_GEN_H */
