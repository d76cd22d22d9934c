#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// ui_token.js URL TOKEN: a run whose POSTs need a token (--api-token).
//  - a fresh tab: the first change asks for the token once (the page's own
//    dialog, not window.prompt), sends "Authorization: Bearer TOKEN" and the
//    change is taken; the next change asks nothing;
//  - a tab holding a wrong token: the API's 401 makes the page ask again,
//    and the retry with the right one is taken.
// Screenshot of the dialog: DIR/ui-token.png (DIR = the third argument).
'use strict';
const path = require('path');
const { launch, close, watch, until, check, getJSON, run } = require('./lib');

run(async ([url, token, dir], log) => {
	const ctx = await launch();
	try {
		// count the dialogs each page opens, and refuse window.prompt
		const count = () => {
			window.lmDialogs = 0;
			const show = HTMLDialogElement.prototype.showModal;
			HTMLDialogElement.prototype.showModal = function () {
				window.lmDialogs++;
				return show.call(this);
			};
			window.prompt = () => {
				throw new Error('window.prompt used');
			};
		};
		async function open(initToken) {
			const page = await ctx.newPage();
			await page.addInitScript(count);
			if (initToken)
				await page.addInitScript((t) => sessionStorage.setItem('lemmings-api-token', t), initToken);
			const errors = watch(page);
			const auth = [];
			page.on('request', (r) => {
				if (r.method() === 'POST')
					auth.push(r.headers().authorization || '');
			});
			await page.goto(url, { waitUntil: 'load' });
			await until(() => page.$eval('#lm-state', (e) => e.getAttribute('data-state') === 'running'),
				10000, 'state running');
			return { page, errors, auth };
		}
		async function apply(page, n, dialog) {
			await page.fill('#lm-users-input', String(n));
			await page.click('#lm-apply');
			if (dialog) {
				await page.waitForSelector('#lm-token-dialog[open]', { timeout: 5000 });
				if (dialog.shot)
					await page.screenshot({ path: dialog.shot });
				await page.fill('#lm-token-input', token);
				await page.click('#lm-token-ok');
			}
			await until(async () => /accepted|refused|Cancelled/.test(await page.textContent('#lm-control-msg')),
				5000, 'an answer to users ' + n);
			const msg = await page.textContent('#lm-control-msg');
			check(/accepted/.test(msg), 'users ' + n + ': ' + msg);
			await until(async () => (await getJSON(url + '/api/status')).target_users === n, 5000,
				'target users ' + n);
		}

		// A fresh tab: asked once.
		const a = await open(null);
		await apply(a.page, 2, { shot: path.join(dir, 'ui-token.png') });
		await apply(a.page, 3, null);
		const da = await a.page.evaluate(() => window.lmDialogs);
		check(da === 1, 'the fresh tab asked ' + da + ' times');
		check(a.auth.length >= 2 && a.auth.every((h) => h === 'Bearer ' + token),
			'the fresh tab sent ' + JSON.stringify(a.auth));
		check(a.errors.length === 0, 'console errors:\n  ' + a.errors.join('\n  '));
		log('fresh tab: asked once, users 2 then 3 taken, every POST with the bearer token');

		// A tab with a wrong token: 401, asked, retried.
		const b = await open('wrong-' + token);
		await apply(b.page, 4, {});
		const db = await b.page.evaluate(() => window.lmDialogs);
		check(db === 1, 'the tab with a wrong token asked ' + db + ' times');
		check(JSON.stringify(b.auth) === JSON.stringify(['Bearer wrong-' + token, 'Bearer ' + token]),
			'the tab with a wrong token sent ' + JSON.stringify(b.auth));
		// the 401 itself is the only thing the browser reports
		const bad = b.errors.filter((e) => !/status of 401/.test(e));
		check(bad.length === 0, 'console errors:\n  ' + bad.join('\n  '));
		log('tab with a wrong token: refused (401), asked once, users 4 taken');
	} finally {
		await close(ctx);
	}
});
