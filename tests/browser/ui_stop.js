#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_stop.js URL DIR: Stop from the page of a running run that lingers after
// it (--linger): the page shows the run done with its final figures, the
// summary and the CSV download from its links (saved as DIR/page-summary.json
// and DIR/page-stats.csv; with a third argument "report", report.html too,
// as DIR/page-report.html), then Exit ends the process and the page says it is
// disconnected and keeps the last figures. Screenshots: DIR/ui-done.png,
// DIR/ui-disconnected.png.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch, close, watch, until, check, run } = require('./lib');

run(async ([url, dir, report], log) => {
	const withReport = report === 'report';
	const ctx = await launch();
	try {
		const page = await ctx.newPage();
		const errors = watch(page);
		const state = () => page.$eval('#lm-state', (e) => e.getAttribute('data-state'));
		await page.goto(url, { waitUntil: 'load' });
		await until(async () => (await state()) === 'running', 10000, 'state running');
		await page.waitForTimeout(2000);

		await page.click('#lm-stop');
		await until(async () => (await state()) === 'done', 10000, 'state done after Stop');
		await page.waitForTimeout(1200); /* a poll of the final figures */
		const done = await page.evaluate(() => ({
			label: document.getElementById('lm-rate-label').textContent,
			apply: document.getElementById('lm-apply').disabled,
			stop: document.getElementById('lm-stop').textContent,
			note: document.getElementById('lm-downloads-note').textContent,
			total: Number(document.querySelector('#lm-stats tr[data-row="total"] [data-col="requests"]')
				.getAttribute('data-value')),
		}));
		check(done.label === 'Average rate' && done.apply && done.stop === 'Exit' && /Final/.test(done.note),
			'the page does not show the run done: ' + JSON.stringify(done));

		async function download(which, file) {
			const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }),
				page.click('#lm-downloads a[data-download="' + which + '"]')]);
			check(!(await dl.failure()), which + ' download failed: ' + (await dl.failure()));
			const to = path.join(dir, file);
			await dl.saveAs(to);
			check(dl.suggestedFilename().endsWith(file.replace(/^page-/, '')),
				which + ' is named ' + dl.suggestedFilename());
			return fs.readFileSync(to, 'utf8');
		}
		const summary = JSON.parse(await download('summary', 'page-summary.json'));
		check(summary.totals && summary.totals.requests === done.total,
			'downloaded summary requests ' + (summary.totals && summary.totals.requests) +
			' != the page\'s final ' + done.total);
		const csv = await download('csv', 'page-stats.csv');
		check(/\nGET,browse\.home,|,Aggregated,/.test(csv), 'the CSV has no rows: ' + csv.slice(0, 200));
		if (withReport) {
			const html = await download('report', 'page-report.html');
			check(html.includes('id="lm-report-data"'), 'report.html is not a report');
		}
		log('after Stop: state done, ' + done.total + ' requests; summary.json, stats.csv' +
			(withReport ? ', report.html' : '') + ' downloaded');
		await page.screenshot({ path: path.join(dir, 'ui-done.png'), fullPage: true });
		check(errors.length === 0, 'console errors:\n  ' + errors.join('\n  '));

		// Exit: the process goes away, the page says so and keeps its figures.
		await page.click('#lm-stop');
		await until(() => page.$eval('#lm-conn', (e) => e.getAttribute('data-conn') === 'disconnected' &&
			!e.hidden), 15000, 'the page to say disconnected');
		const after = await page.evaluate(() => ({
			state: document.getElementById('lm-state').textContent,
			total: Number(document.querySelector('#lm-stats tr[data-row="total"] [data-col="requests"]')
				.getAttribute('data-value')),
			stop: document.getElementById('lm-stop').disabled,
			links: Array.from(document.querySelectorAll('#lm-downloads a')).map((a) => a.getAttribute('aria-disabled')),
		}));
		check(after.state === 'disconnected' && after.total === done.total && after.stop &&
			after.links.every((v) => v === 'true'), 'after the exit: ' + JSON.stringify(after));
		await page.screenshot({ path: path.join(dir, 'ui-disconnected.png'), fullPage: true });
		// only the browser's own words about the refused connection, no script error
		const bad = errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
		check(bad.length === 0, 'errors after the exit:\n  ' + bad.join('\n  '));
		log('after Exit: the page says disconnected and keeps ' + after.total + ' requests');
	} finally {
		await close(ctx);
	}
});
