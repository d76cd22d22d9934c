/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the plan loader (control/plan_load.c and the files it
 * calls). JSON text in, a plan or an error out: never a crash or a leak
 * (AddressSanitizer's leak check runs after every input), and an error
 * always says what is wrong and where.
 *
 * The plan is named as if it lived in a directory that does not exist, so
 * relative "include" patterns and data set files find nothing rather than
 * whatever lies in the fuzzer's working directory.
 */
#include <stdint.h>
#include <string.h>

#include <lm/plan.h>

#include "fuzz_util.h"

#define FUZZ_PLAN_FILE "/nonexistent-lm-fuzz/plan.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	/* a canary: the loader must write a message when it fails */
	memset(err, 0x5a, sizeof(err));
	err[sizeof(err) - 1] = '\0';
	p = lm_plan_load_text((const char *)data, size, FUZZ_PLAN_FILE, err,
			      sizeof(err));
	if (p != NULL) {
		(void)lm_plan_n_steps(p);
		lm_plan_free(p);
		return 0;
	}
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(err[0] != '\0' && err[0] != 0x5a);
	/* every message starts with the file's name ("FILE:LINE:COL: ...") */
	FUZZ_CHECK(strncmp(err, FUZZ_PLAN_FILE, strlen(FUZZ_PLAN_FILE)) == 0);
	return 0;
}
