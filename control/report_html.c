/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTML report page (report_html.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_data.h"
#include "report_html.h"
#include "sbuf.h"
#include "ui_assets.h"
#include "util/errmsg.h"

/* s as HTML text: the plan's name may hold anything. */
static void
put_html_text(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			sb_str(b, "&amp;");
			break;
		case '<':
			sb_str(b, "&lt;");
			break;
		case '>':
			sb_str(b, "&gt;");
			break;
		case '"':
			sb_str(b, "&quot;");
			break;
		case '\'':
			sb_str(b, "&#39;");
			break;
		default:
			sb_put(b, s, 1);
		}
	}
}

/*
 * JSON text inside <script>: a '<' only occurs inside JSON strings, where
 * \u003c means the same, and without it no "</script>" or "<!--" in a
 * step's name or path can end the element or change how it is parsed.
 */
static void
put_data(struct sbuf *b, const char *json)
{
	const char *s = json, *lt;

	while ((lt = strchr(s, '<')) != NULL) {
		sb_put(b, s, (size_t)(lt - s));
		sb_str(b, "\\u003c");
		s = lt + 1;
	}
	sb_str(b, s);
}

/*
 * An asset inside <style> or <script>: "</" before the element's name
 * would end it early, and "<!--" would change how a script is parsed.
 * In JavaScript and CSS both can only occur in strings, comments and
 * regular expressions, where a backslash before '/' or '!' changes
 * nothing; our own files do not have them, but a safe page should not
 * rest on that.
 */
static void
put_asset(struct sbuf *b, const struct lm_asset *a, const char *element)
{
	size_t n = strlen(element), i, from = 0;

	for (i = 0; i < a->len; i++) {
		if (a->data[i] != '<' || i + 1 >= a->len)
			continue;
		if ((a->data[i + 1] == '/' && a->len - i - 2 >= n &&
		     strncasecmp(a->data + i + 2, element, n) == 0) ||
		    (a->data[i + 1] == '!' && a->len - i >= 4 &&
		     memcmp(a->data + i, "<!--", 4) == 0)) {
			sb_put(b, a->data + from, i + 1 - from);
			sb_str(b, "\\");
			from = i + 1;
		}
	}
	sb_put(b, a->data + from, a->len - from);
}

char *
lm_report_html(const json_t *data)
{
	const struct lm_asset *css = lm_asset_find("style.css");
	const struct lm_asset *charts = lm_asset_find("charts.js");
	const struct lm_asset *script = lm_asset_find("report.js");
	const char *title = json_string_value(json_object_get(data, "title"));
	struct sbuf b = { 0 };
	char *json;

	if (css == NULL || charts == NULL || script == NULL)
		return NULL;
	json = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (json == NULL)
		return NULL;
	sb_str(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">\n<title>lemmings-dp report: ");
	put_html_text(&b, title != NULL ? title : "");
	sb_str(&b, "</title>\n<style>\n");
	put_asset(&b, css, "style");
	sb_str(&b, "\n</style>\n</head>\n<body>\n"
		"<noscript>This report is drawn by its script: open it in a "
		"browser with JavaScript on.</noscript>\n"
		"<script type=\"application/json\" id=\"" LM_REPORT_DATA_ID "\">");
	put_data(&b, json);
	sb_str(&b, "</script>\n<script>\n");
	put_asset(&b, charts, "script");
	sb_str(&b, "\n</script>\n<script>\n");
	put_asset(&b, script, "script");
	sb_str(&b, "\n</script>\n</body>\n</html>\n");
	free(json);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *
lm_report_html_run(const struct lm_plan *plan, const struct lm_view *v,
		   double duration_s)
{
	json_t *data = lm_report_data_run(plan, v, duration_s);
	char *html;

	if (data == NULL)
		return NULL;
	html = lm_report_html(data);
	json_decref(data);
	return html;
}

/* Write all of text to fd; 0 or -errno. */
static int
write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	return 0;
}

/*
 * A path that is there but is not a plain file (/dev/stdout, a pipe, a
 * symbolic link) is written in place: renaming over it would replace the
 * device node or the link itself.
 */
static int
write_in_place(const char *path, const char *text, size_t len, char *err,
	       size_t errlen)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), rc;

	if (fd < 0) {
		rc = -errno;
		lm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = write_all(fd, text, len);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0)
		lm_errf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

int
lm_report_write_file(const char *path, const char *text, size_t len,
		     char *err, size_t errlen)
{
	static atomic_uint seq;
	size_t plen = strlen(path) + 64;
	struct stat st;
	char *tmp;
	int fd, rc;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode))
		return write_in_place(path, text, len, err, errlen);
	tmp = malloc(plen);
	if (tmp == NULL) {
		lm_errf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* beside path, so that the rename stays on one file system */
	snprintf(tmp, plen, "%s.tmp.%ld.%u", path, (long)getpid(),
		 atomic_fetch_add(&seq, 1));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = -errno;
		lm_errf(err, errlen, "%s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	rc = write_all(fd, text, len);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		lm_errf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
lm_report_html_save(const char *path, const struct lm_plan *plan,
		    const struct lm_view *v, double duration_s, char *err,
		    size_t errlen)
{
	char *html = lm_report_html_run(plan, v, duration_s);
	int rc;

	if (html == NULL) {
		lm_errf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = lm_report_write_file(path, html, strlen(html), err, errlen);
	free(html);
	return rc;
}
