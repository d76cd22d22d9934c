/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Temporary stand-in for the generated ui_assets.c (control/ui/), so that
 * the HTML report builds and is tested before the embedded UI lands: the
 * three files the report inlines, as placeholders. Removed once
 * control/ui/meson.build generates the real table.
 */
#include <stddef.h>
#include <string.h>

#include "ui_assets.h"

static const char style_css[] = "body { font-family: sans-serif; }\n";
static const char charts_js[] = "\"use strict\";\nvar LmCharts = {};\n";
static const char report_js[] = "\"use strict\";\n";

const struct lm_asset lm_assets[] = {
	{ "style.css", "text/css; charset=utf-8", style_css,
	  sizeof(style_css) - 1 },
	{ "charts.js", "text/javascript; charset=utf-8", charts_js,
	  sizeof(charts_js) - 1 },
	{ "report.js", "text/javascript; charset=utf-8", report_js,
	  sizeof(report_js) - 1 },
};
const unsigned int lm_n_assets = sizeof(lm_assets) / sizeof(lm_assets[0]);

const struct lm_asset *
lm_asset_find(const char *name)
{
	for (unsigned int i = 0; i < lm_n_assets; i++)
		if (strcmp(lm_assets[i].name, name) == 0)
			return &lm_assets[i];
	return NULL;
}
