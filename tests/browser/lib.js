// SPDX-License-Identifier: BSD-3-Clause
// The browser side of the web UI's functional tests (tests/func/test_ui_*.sh):
// Debian's chromium, headless, driven by playwright-core. Never a browser of
// playwright's own: executablePath is the system's, and nothing is downloaded.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

let pw;
try {
	pw = require('playwright-core');
} catch (e) {
	process.stderr.write('playwright-core missing: run tools/deps (npm ci in tests/browser)\n');
	process.exit(77);
}

const CHROMIUM = process.env.LM_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

function fail(msg) {
	const e = new Error(msg);
	e.lmFail = true;
	throw e;
}

function check(cond, msg) {
	if (!cond)
		fail(msg);
}

// A browser with a fresh profile (removed at close): a context that keeps
// downloads and lets the test turn the network off.
async function launch(opts = {}) {
	if (!fs.existsSync(CHROMIUM)) {
		process.stderr.write(CHROMIUM + ' missing: run tools/deps\n');
		process.exit(77);
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-chromium-'));
	const ctx = await pw.chromium.launchPersistentContext(dir, {
		executablePath: CHROMIUM,
		headless: true,
		args: ARGS,
		acceptDownloads: true,
		viewport: { width: 1280, height: opts.height || 1000 },
		offline: !!opts.offline,
		timeout: 30000,
	});
	ctx.lmDir = dir;
	return ctx;
}

async function close(ctx) {
	try {
		await ctx.close();
	} finally {
		fs.rmSync(ctx.lmDir, { recursive: true, force: true });
	}
}

// Every console error and uncaught exception of the page, in .errors.
function watch(page) {
	const errors = [];
	page.on('console', (m) => {
		// Any failed load counts (the page names its icon, so the
		// browser does not ask for /favicon.ico).
		if (m.type() === 'error')
			errors.push('console: ' + m.text() + ' @' + JSON.stringify(m.location()));
	});
	page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
	page.lmErrors = errors;
	return errors;
}

// Poll fn (async, returns a truthy value when done) every 100 ms for at most ms.
async function until(fn, ms, what) {
	const end = Date.now() + ms;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last)
				return last;
		} catch (e) {
			if (e.lmFail)
				throw e;
			last = e.message;
		}
		if (Date.now() > end)
			fail('timed out (' + ms + ' ms) waiting for ' + what + (last ? ' (last: ' + last + ')' : ''));
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function getJSON(url) {
	const r = await fetch(url, { cache: 'no-store' });
	if (!r.ok)
		fail(url + ': HTTP ' + r.status);
	return r.json();
}

// The test's body: main(args) is async; prints "ok" or "FAIL: ..." and exits
// 0 or 1 (a screenshot of the page, when there is one, is taken by the test).
function run(main) {
	const log = (m) => process.stdout.write(m + '\n');
	const t0 = Date.now();
	const timer = setTimeout(() => {
		log('FAIL: the browser test took over ' + (process.env.LM_BROWSER_TIMEOUT || 90) + ' s');
		process.exit(1);
	}, (process.env.LM_BROWSER_TIMEOUT || 90) * 1000);
	main(process.argv.slice(2), log).then(() => {
		clearTimeout(timer);
		log('ok (' + ((Date.now() - t0) / 1000).toFixed(1) + ' s)');
		process.exit(0);
	}, (e) => {
		clearTimeout(timer);
		log('FAIL: ' + (e.lmFail ? e.message : e.stack));
		process.exit(1);
	});
}

module.exports = { launch, close, watch, until, check, fail, getJSON, run };
