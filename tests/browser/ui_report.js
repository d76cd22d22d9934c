#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_report.js REPORT.html SHOT.png: the HTML report opened from a file://
// URL with the network off (the context offline, and every request that is
// not file:// aborted and counted): no console error, no request out, and
// the page shows what its own data holds: every step's percentile spectrum,
// the thresholds (pass/fail), the statistics and the errors.
'use strict';
const path = require('path');
const { launch, close, watch, check, run } = require('./lib');

run(async ([file, shot], log) => {
	const ctx = await launch({ offline: true, height: 900 });
	try {
		const outside = [];
		await ctx.route('**/*', (route) => {
			const u = route.request().url();
			if (u.startsWith('file:'))
				return route.continue();
			outside.push(u);
			return route.abort();
		});
		const page = await ctx.newPage();
		const errors = watch(page);
		await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
		await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });

		check(await page.$$eval('#lm-report-data', (e) => e.length) === 1, 'not one data element');
		const d = JSON.parse(await page.textContent('#lm-report-data'));
		const r = await page.evaluate(() => {
			const q = (s, el) => Array.from((el || document).querySelectorAll(s));
			const pts = (p) => (p.getAttribute('d').match(/[ML]/g) || []).length;
			return {
				title: document.getElementById('lm-rep-title').textContent,
				spectra: q('.lm-spectrum').map((e) => ({
					step: e.getAttribute('data-step'),
					width: e.getBoundingClientRect().width,
					lines: q('path.lm-line', e).map((p) => ({ n: pts(p), vis: p.getAttribute('visibility') })),
					ticks: q('text.lm-axis', e).map((t) => t.textContent),
				})),
				thresholds: q('#lm-thresholds tbody tr').map((tr) => ({
					cls: tr.className, text: tr.cells[0].textContent,
					bg: getComputedStyle(tr).backgroundColor,
				})),
				stats: q('#lm-rep-stats tbody tr').map((tr) => ({
					step: tr.getAttribute('data-step'),
					requests: tr.querySelector('[data-col="requests"]').getAttribute('data-value'),
				})),
				total: (document.querySelector('#lm-rep-stats tr[data-row="total"] [data-col="requests"]') || {})
					.textContent,
				errors: q('#lm-rep-errors tbody tr').map((tr) => ({
					reason: tr.getAttribute('data-reason'),
					count: tr.querySelector('[data-col="count"]').getAttribute('data-value'),
				})),
				rps: q('#lm-rep-rps path.lm-line').map(pts),
			};
		});

		check(r.title === d.title, 'title ' + JSON.stringify(r.title) + ' != ' + JSON.stringify(d.title));
		// every step's spectrum: a visible plot with one point per percentile
		const steps = d.steps || [];
		check(steps.length > 0, 'the report data has no step');
		// a step that measured nothing (a think step) has no spectrum to draw
		const measured = steps.filter((s) => s.requests > 0);
		check(measured.length > 0, 'no step measured anything');
		for (const s of measured) {
			const name = s.scenario + '.' + s.step;
			const sp = r.spectra.find((x) => x.step === name);
			check(sp, 'no spectrum plot for step ' + name);
			check(sp.width > 200, 'spectrum of ' + name + ' is ' + sp.width + ' px wide');
			check(sp.lines.length === 1 && sp.lines[0].vis !== 'hidden' && sp.lines[0].n === s.spectrum.length,
				'spectrum of ' + name + ': ' + JSON.stringify(sp.lines) + ', expected one line of ' +
				s.spectrum.length + ' points');
			for (const t of ['0%', '90%', '99%', '99.9%'])
				check(sp.ticks.includes(t), 'spectrum of ' + name + ' has no tick ' + t + ': ' + sp.ticks);
		}
		// the thresholds, coloured by their result
		if (d.source !== 'hlog') {
			const ts = d.thresholds || [];
			check(r.thresholds.length === ts.length, 'threshold rows ' + r.thresholds.length + ' != ' + ts.length);
			ts.forEach((t, i) => {
				const row = r.thresholds[i];
				check(row.cls === (t.passed ? 'pass' : 'fail'), 'threshold ' + i + ' class ' + row.cls);
				check(row.text === t.text, 'threshold ' + i + ' text ' + JSON.stringify(row.text));
			});
			// each verdict its own colour: as many backgrounds as verdicts
			const bgs = new Set(r.thresholds.map((t) => t.bg));
			check(bgs.size === new Set(r.thresholds.map((t) => t.cls)).size,
				'pass and fail rows are not coloured apart: ' + [...bgs]);
		}
		// the statistics and the errors
		check(r.stats.length === steps.length, 'statistics rows ' + r.stats.length + ' != ' + steps.length);
		steps.forEach((s, i) => check(r.stats[i].step === s.scenario + '.' + s.step &&
			Number(r.stats[i].requests) === s.requests, 'statistics row ' + i + ': ' + JSON.stringify(r.stats[i])));
		check(r.total === d.totals.requests.toLocaleString('en-US'), 'aggregated requests ' + r.total);
		const errs = Object.keys(d.errors || {}).filter((k) => d.errors[k] > 0);
		check(r.errors.length === errs.length && r.errors.every((e) => Number(e.count) === d.errors[e.reason]),
			'errors table ' + JSON.stringify(r.errors) + ' vs ' + JSON.stringify(d.errors));
		check(r.rps.length >= 1 && r.rps[0] === d.series.t_s.length,
			'requests/s chart: ' + r.rps + ' points, expected ' + d.series.t_s.length);

		await page.screenshot({ path: shot, fullPage: true });
		check(outside.length === 0, 'the report asked the network for ' + outside.join(', '));
		check(errors.length === 0, 'console errors:\n  ' + errors.join('\n  '));
		log('report (' + (d.source || '?') + '): ' + measured.length + ' spectra, ' + r.thresholds.length + ' thresholds, ' +
			r.errors.length + ' error reasons; screenshot ' + shot);
	} finally {
		await close(ctx);
	}
});
