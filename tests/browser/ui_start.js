#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_start.js URL DIR USERS SPAWN DURATION: a run waiting for its start
// (--wait-for-start): the page shows the start form (and no live controls),
// takes USERS, SPAWN and DURATION, and the run starts with them (/api/status
// and the page's header say so); when it is done, the summary downloads from
// the page (DIR/page-summary.json) and Exit ends the process. Screenshot of
// the form: DIR/ui-start.png.
'use strict';
const path = require('path');
const { launch, close, watch, until, check, getJSON, run } = require('./lib');

run(async ([url, dir, users, spawn, duration], log) => {
	users = Number(users);
	spawn = Number(spawn);
	duration = Number(duration);
	const ctx = await launch();
	try {
		const page = await ctx.newPage();
		const errors = watch(page);
		const state = () => page.$eval('#lm-state', (e) => e.getAttribute('data-state'));
		const hidden = (id) => page.$eval('#' + id, (e) => e.hidden);
		await page.goto(url, { waitUntil: 'load' });
		await until(async () => (await state()) === 'waiting', 10000, 'state waiting');
		check(!(await hidden('lm-start')), 'no start form while waiting');
		check(await hidden('lm-control'), 'live controls while waiting');
		check(!(await hidden('lm-start-users-field')) && await hidden('lm-start-rate-field'),
			'the closed model\'s form asks for users, not a rate');
		await page.fill('#lm-start-users', String(users));
		await page.fill('#lm-start-spawn', String(spawn));
		await page.fill('#lm-start-duration', String(duration));
		await page.screenshot({ path: path.join(dir, 'ui-start.png'), fullPage: true });
		await page.click('#lm-start-go');
		await until(async () => (await page.textContent('#lm-start-msg')).includes('accepted'), 5000,
			'the start accepted');

		await until(async () => ['starting', 'running'].includes(await state()), 5000, 'the run started');
		const s = await getJSON(url + '/api/status');
		check(s.target_users === users && s.duration_s === duration && s.spawn_rate === spawn,
			'status after the start: ' + JSON.stringify({ target_users: s.target_users,
				duration_s: s.duration_s, spawn_rate: s.spawn_rate }));
		check(await hidden('lm-start'), 'the start form is still shown');
		await until(() => page.$eval('#lm-users', (e, n) => Number(e.getAttribute('data-value')) === n, users),
			5000, 'the header to show ' + users + ' users');
		const el = await page.textContent('#lm-elapsed');
		check(el.endsWith('/ 0:0' + duration), 'elapsed shows ' + JSON.stringify(el));
		log('started from the page: users ' + users + ', spawn rate ' + spawn + '/s, ' + duration + ' s');

		await until(async () => (await state()) === 'done', (duration + 10) * 1000, 'the run to end');
		await page.waitForTimeout(1200);
		const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }),
			page.click('#lm-downloads a[data-download="summary"]')]);
		await dl.saveAs(path.join(dir, 'page-summary.json'));
		await page.click('#lm-stop');
		await until(() => page.$eval('#lm-conn', (e) => e.getAttribute('data-conn') === 'disconnected'),
			15000, 'the page to say disconnected');
		const bad = errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
		check(bad.length === 0, 'console errors:\n  ' + bad.join('\n  '));
	} finally {
		await close(ctx);
	}
});
