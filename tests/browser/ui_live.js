#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_live.js URL SHOT.png: the live page of a running closed-model run whose
// plan allows 8 users and makes the rate proportional to them (a think time).
//  - it loads with no console error; its table and header show what the API
//    says: exactly what the page last received, and within one interval of
//    what the test fetches itself at that moment;
//  - the columns sort on a click;
//  - users 2, then 8, set from the page: the API takes them and the achieved
//    rate grows at least 2.5 times;
//  - after a reload the charts come back at once (/api/history).
'use strict';
const { launch, close, watch, until, check, getJSON, run } = require('./lib');

run(async ([url, shot], log) => {
	const ctx = await launch({ height: 1100 });
	try {
		const page = await ctx.newPage();
		const errors = watch(page);
		await page.goto(url, { waitUntil: 'load' });
		await until(() => page.$eval('#lm-state', (e) => e.getAttribute('data-state') === 'running'),
			10000, 'state running');
		await until(() => page.$$eval('#lm-stats tbody tr', (t) => t.length >= 2), 5000, 'the table');
		await page.waitForTimeout(1000);

		// The figures: what the page last received, and the API right now.
		const readPage = () => page.evaluate(() => {
			const v = (sel) => document.querySelector(sel).getAttribute('data-value');
			return {
				steps: Array.from(document.querySelectorAll('#lm-stats tbody tr')).map((tr) => ({
					step: tr.getAttribute('data-step'),
					requests: Number(tr.querySelector('[data-col="requests"]').getAttribute('data-value')),
					text: tr.querySelector('[data-col="requests"]').textContent,
					p99: Number(tr.querySelector('[data-col="p99"]').getAttribute('data-value')),
				})),
				total: Number(v('#lm-stats tr[data-row="total"] [data-col="requests"]')),
				rate: Number(v('#lm-rate')),
				rateText: document.getElementById('lm-rate').textContent,
				users: Number(v('#lm-users')),
			};
		});
		// The test's own view of the API: /api/stats every 100 ms, so that
		// it sees every document the API serves (one per interval).
		const docs = [];
		let polling = true;
		const poller = (async () => {
			while (polling) {
				const d = await getJSON(url + '/api/stats');
				docs.push({ t: Date.now(), requests: d.totals.requests, req_s: d.totals.req_s });
				await new Promise((r) => setTimeout(r, 100));
			}
		})();
		await page.waitForTimeout(1500);
		// the page's next poll, read a moment after it drew it (it polls each second)
		const resp = await page.waitForResponse((r) => r.url().endsWith('/api/stats') && r.status() === 200);
		const seen = await resp.json();
		await page.waitForTimeout(150);
		const p = await readPage();
		const tRead = Date.now();
		await page.waitForTimeout(300);
		polling = false;
		await poller;
		// rendering: exactly the document the page had
		check(p.total === seen.totals.requests, 'aggregated ' + p.total + ' != ' + seen.totals.requests);
		for (const s of seen.steps) {
			const row = p.steps.find((r) => r.step === s.scenario + '.' + s.step);
			check(row, 'no row for ' + s.scenario + '.' + s.step);
			check(row.requests === s.requests && row.text === s.requests.toLocaleString('en-US'),
				row.step + ': ' + row.text + ' != ' + s.requests);
			check(Math.abs(row.p99 - s.latency_ms.p99) < 1e-9, row.step + ' p99 ' + row.p99);
		}
		check(Math.abs(p.rate - seen.totals.req_s) < 1e-9, 'header rate ' + p.rate + ' != ' + seen.totals.req_s);
		// and what the API itself served within one interval of the moment
		// the page was read: the same request count and rate
		const iv = (seen.interval_s || 1) * 1000;
		const near = docs.filter((d) => d.t >= tRead - iv && d.t <= tRead + 300);
		check(near.some((d) => d.requests === p.total && Math.abs(d.req_s - p.rate) < 1e-9),
			'the page shows ' + p.total + ' requests at ' + p.rate + ' req/s; the API within an interval: ' +
			JSON.stringify(near.map((d) => [d.requests, d.req_s])));
		check(/ req\/s$/.test(p.rateText), 'rate shown as ' + JSON.stringify(p.rateText));
		log('table and header match the API: ' + p.total + ' requests, ' + p.rateText);

		// Sorting by a click on a column head.
		const order = () => page.$$eval('#lm-stats tbody tr', (t) => t.map((r) =>
			Number(r.querySelector('[data-col="rx_bytes"]').getAttribute('data-value'))));
		await page.click('#lm-stats th[data-sort="rx_bytes"]');
		let o = await order();
		check(o.every((x, i) => i === 0 || o[i - 1] >= x), 'not sorted descending: ' + o);
		await page.click('#lm-stats th[data-sort="rx_bytes"]');
		o = await order();
		check(o.every((x, i) => i === 0 || o[i - 1] <= x), 'not sorted ascending: ' + o);
		check(await page.$eval('#lm-stats th[data-sort="rx_bytes"]', (e) => e.getAttribute('aria-sort')) ===
			'ascending', 'no aria-sort on the column');

		// The latency chart for one step.
		await page.selectOption('#lm-latency-step', '1');
		check(await page.$eval('#lm-chart-latency', (e) => e.querySelectorAll('path.lm-line').length) === 2,
			'latency chart of step 1');

		// Users from the page: 2, then 8; the rate follows.
		async function setUsers(n) {
			await page.fill('#lm-users-input', String(n));
			await page.click('#lm-apply');
			await until(async () => (await page.textContent('#lm-control-msg')).includes('accepted'),
				5000, 'users ' + n + ' accepted');
			await until(async () => {
				const s = await getJSON(url + '/api/status');
				return s.target_users === n && s.users === n;
			}, 10000, n + ' users running');
			await until(() => page.$eval('#lm-users', (e, n) => Number(e.getAttribute('data-value')) === n, n),
				5000, 'the header to show ' + n + ' users');
		}
		async function rate() {
			await page.waitForTimeout(1500);
			const s0 = await getJSON(url + '/api/status');
			const t0 = Date.now();
			await page.waitForTimeout(3000);
			const s1 = await getJSON(url + '/api/status');
			return (s1.requests - s0.requests) / ((Date.now() - t0) / 1000);
		}
		await setUsers(2);
		const r2 = await rate();
		await setUsers(8);
		const r8 = await rate();
		log('achieved rate: ' + r2.toFixed(1) + ' req/s with 2 users, ' + r8.toFixed(1) + ' with 8');
		check(r2 > 0 && r8 >= 2.5 * r2, 'rate with 8 users ' + r8.toFixed(1) + ' is not 2.5 x ' + r2.toFixed(1));

		// A reload: the charts come back from /api/history before a second poll.
		await page.selectOption('#lm-latency-step', 'all');
		const before = await page.$eval('#lm-chart-rps path.lm-line', (e) => (e.getAttribute('d').match(/[ML]/g) || []).length);
		await page.screenshot({ path: shot, fullPage: true });
		await page.reload({ waitUntil: 'load' });
		let after = 0;
		await until(async () => {
			after = await page.$eval('#lm-chart-rps path.lm-line',
				(e) => (e.getAttribute('d').match(/[ML]/g) || []).length);
			return after >= before;
		}, 3000, 'the chart after a reload to have ' + before + ' points or more');
		log('requests/s chart: ' + before + ' points before the reload, ' + after + ' just after');

		check(errors.length === 0, 'console errors:\n  ' + errors.join('\n  '));
	} finally {
		await close(ctx);
	}
});
