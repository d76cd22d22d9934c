/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fleet totals: the JSON summaries (--summary) of several instances of
 * one plan, the shards of a distributed run (--shard I/N), combined into
 * one summary of the same shape (lemmings-ctl summary merge).
 *
 * Counts are summed (totals, steps, scenarios, errors by reason, bytes,
 * runs, connections, packets, servers and routes, load and pool
 * counters), durations are the longest, rates are recomputed from the
 * summed counts. Percentiles cannot be summed: they come from a merged
 * .hlog (lemmings-ctl hlog merge) when one is given, else they are left
 * out and "percentiles" says so. docs/distributed.md has the rules key by
 * key.
 */
#ifndef LM_SUMMARY_MERGE_H
#define LM_SUMMARY_MERGE_H

#include <stddef.h>

#include <jansson.h>

/*
 * Merge the n summaries docs (named names[i] in messages, a file name
 * say) into a new document in *out. hlog_path: a merged log whose tags
 * "scenario.step.latency" (ttfb, connect) give the percentiles, or NULL.
 * Returns 0; -EINVAL when the inputs are refused (not one plan, a
 * malformed summary or log, a shard given twice), with the file and the
 * JSON path in err; -ENOMEM.
 */
int lm_summary_merge(json_t *const *docs, const char *const *names, size_t n,
		     const char *hlog_path, json_t **out, char *err,
		     size_t errlen);

/*
 * The same from files, written to out_path atomically (a temporary file
 * in its directory, renamed over it): a reader sees the old file or the
 * whole new one. Returns 0, -EINVAL (refused: err says why), -ENOMEM, or
 * -EIO (out_path cannot be written).
 */
int lm_summary_merge_files(const char *const *paths, size_t n,
			   const char *hlog_path, const char *out_path,
			   char *err, size_t errlen);

#endif /* LM_SUMMARY_MERGE_H */
