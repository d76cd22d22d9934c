/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the libFuzzer targets share: splitting an input into pieces at
 * points the fuzzer chooses, and an abort() that survives NDEBUG (an
 * invariant that breaks must be a finding in every build type).
 */
#ifndef LM_FUZZ_UTIL_H
#define LM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#define FUZZ_MAX_CUTS 4

/*
 * The first FUZZ_MAX_CUTS bytes of the input choose where the rest is cut
 * (byte b puts a cut at b/256 of the message): the fuzzer then explores
 * the splits of a message as well as its bytes, and a cut inside a token
 * is where an incremental parser's state has to carry over. cuts[] gets
 * n + 1 ascending offsets ending with the message's length; returns n.
 */
static inline unsigned int
fuzz_cuts(const uint8_t **data, size_t *size, size_t cuts[FUZZ_MAX_CUTS + 1])
{
	unsigned int i, j, n = 0;
	size_t len, c;

	if (*size < FUZZ_MAX_CUTS) {
		cuts[0] = *size;
		return 0;
	}
	len = *size - FUZZ_MAX_CUTS;
	for (i = 0; i < FUZZ_MAX_CUTS; i++) {
		c = (size_t)(*data)[i] * len / 256;
		/* insertion sort: four values */
		for (j = n; j > 0 && cuts[j - 1] > c; j--)
			cuts[j] = cuts[j - 1];
		cuts[j] = c;
		n++;
	}
	cuts[n] = len;
	*data += FUZZ_MAX_CUTS;
	*size = len;
	return n;
}

#endif /* LM_FUZZ_UTIL_H */
