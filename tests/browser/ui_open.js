#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_open.js URL R1 R2 SHOT.png: an open-model run: the page asks for a rate, not users,
// and shows the target rate; rate R1 then R2 set from the page are the
// run's (/api/status target_rate) and the achieved request rate follows
// them (each session is one request).
'use strict';
const { launch, close, watch, until, check, getJSON, run } = require('./lib');

run(async ([url, r1, r2, shot], log) => {
	r1 = Number(r1);
	r2 = Number(r2);
	const ctx = await launch();
	try {
		const page = await ctx.newPage();
		const errors = watch(page);
		await page.goto(url, { waitUntil: 'load' });
		await until(() => page.$eval('#lm-state', (e) => e.getAttribute('data-state') === 'running'),
			10000, 'state running');
		check(await page.$eval('#lm-users-field', (e) => e.hidden) &&
			!(await page.$eval('#lm-rate-field', (e) => e.hidden)), 'the open model\'s controls ask for users');
		async function setRate(r) {
			await page.fill('#lm-rate-input', String(r));
			await page.click('#lm-apply');
			await until(async () => (await getJSON(url + '/api/status')).target_rate === r, 5000,
				'target rate ' + r);
			await until(() => page.$eval('#lm-target', (e, r) => Number(e.getAttribute('data-value')) === r, r),
				5000, 'the header to show the target rate ' + r);
			await page.waitForTimeout(1500);
			const s0 = await getJSON(url + '/api/status');
			const t0 = Date.now();
			await page.waitForTimeout(3000);
			const s1 = await getJSON(url + '/api/status');
			return (s1.requests - s0.requests) / ((Date.now() - t0) / 1000);
		}
		const a = await setRate(r1);
		const b = await setRate(r2);
		log('achieved: ' + a.toFixed(1) + ' req/s at rate ' + r1 + ', ' + b.toFixed(1) + ' at ' + r2);
		check(Math.abs(a - r1) <= r1 * 0.25 && Math.abs(b - r2) <= r2 * 0.25,
			'the achieved rates are not the targets');
		await page.screenshot({ path: shot, fullPage: true });
		check(errors.length === 0, 'console errors:\n  ' + errors.join('\n  '));
	} finally {
		await close(ctx);
	}
});
