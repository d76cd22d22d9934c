/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FNV-1a, 64 bits: a hash that can be computed a byte at a time as bytes
 * arrive, so a request's path is matched against the server's routes
 * without being stored. The plan hashes each route's path the same way.
 */
#ifndef LM_FNV_H
#define LM_FNV_H

#include <stddef.h>
#include <stdint.h>

#define LM_FNV64_INIT 0xcbf29ce484222325ull
#define LM_FNV64_PRIME 0x100000001b3ull

static inline uint64_t
lm_fnv1a64_byte(uint64_t h, uint8_t b)
{
	return (h ^ b) * LM_FNV64_PRIME;
}

static inline uint64_t
lm_fnv1a64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = LM_FNV64_INIT;

	for (size_t i = 0; i < len; i++)
		h = lm_fnv1a64_byte(h, p[i]);
	return h;
}

#endif /* LM_FNV_H */
