/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC-32C (Castagnoli, RFC 3720 appendix B.4), the checksum of bodies in
 * expectations and test servers: with SSE4.2's crc32 instruction where the
 * build targets it, bit by bit otherwise. Incremental:
 *   c = LM_CRC32C_INIT; c = lm_crc32c_update(c, a, n); ...; lm_crc32c_final(c)
 * "123456789" gives 0xe3069283.
 */
#ifndef LM_CRC32C_H
#define LM_CRC32C_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LM_CRC32C_INIT 0xffffffffu

static inline uint32_t
lm_crc32c_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

#if defined(__SSE4_2__) && defined(__x86_64__)
	uint64_t c = crc;

	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	crc = (uint32_t)c;
	for (; len > 0; len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
#else
	for (; len > 0; len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
#endif
	return crc;
}

static inline uint32_t
lm_crc32c_final(uint32_t crc)
{
	return ~crc;
}

#endif /* LM_CRC32C_H */
