/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live web UI (index.html, served by the run's API at /): polls
 * /api/status and /api/stats each interval, draws the charts from
 * /api/history (once, on load) plus what each poll adds, and sends the
 * changes (POST /api/load, /api/stop, /api/start). See docs/ui.md.
 *
 * A classic script with no dependency but charts.js (LmCharts): the binary
 * serves it as it is, with nothing built or fetched from elsewhere.
 */
(function () {
	'use strict';

	var C = window.LmCharts;
	var fmtInt = C.fmtInt, fmtRate = C.fmtRate, fmtMs = C.fmtMs,
		fmtBytes = C.fmtBytes;
	var TOKEN_KEY = 'lemmings-api-token';
	/* Above this many points a chart shows every k-th: a day-long run
	 * would otherwise draw 86400 points each second. */
	var MAX_POINTS = 1500;

	var st = {
		status: null,
		stats: null,
		hist: [],          /* {t, users, connections, req_s, fail_s, p50, p99, steps: [...]} */
		interval: 1,
		conn: 'connecting',
		sortKey: null,
		sortDir: 1,
		startFilled: false,
		loadFilled: false,
		latencyStep: 'all',
		histLoaded: false,
		chartsDirty: true,
		busy: false,
	};

	function $(id) { return document.getElementById(id); }

	/* ---- formatting ---- */

	function setText(id, text, value) {
		var e = $(id);
		e.textContent = text;
		if (value !== undefined)
			e.setAttribute('data-value', value === null ? '' : String(value));
	}

	/* A table cell: right-aligned number with its unit, the raw value in
	 * data-value (what tests and sorting read). */
	function numCell(tr, col, value, text, unit) {
		var td = document.createElement('td');
		td.className = 'num';
		td.setAttribute('data-col', col);
		td.setAttribute('data-value', value === null || value === undefined ? '' : String(value));
		td.textContent = text;
		if (unit) {
			var u = document.createElement('span');
			u.className = 'u';
			u.textContent = unit;
			td.appendChild(u);
		}
		tr.appendChild(td);
		return td;
	}

	/* ---- the API ---- */

	async function getJSON(path) {
		var r = await fetch(path, { cache: 'no-store' });
		if (!r.ok)
			throw new Error(path + ': HTTP ' + r.status);
		return r.json();
	}

	function token() {
		try {
			return sessionStorage.getItem(TOKEN_KEY);
		} catch (e) {
			return null;
		}
	}

	function send(path, body) {
		var h = { 'Content-Type': 'application/json' };
		var t = token();
		if (t)
			h.Authorization = 'Bearer ' + t;
		return fetch(path, { method: 'POST', headers: h, cache: 'no-store',
			body: body === undefined ? '' : JSON.stringify(body) });
	}

	/* The token dialog: resolves to the token typed, or null (cancelled). */
	function askToken(wrong) {
		var d = $('lm-token-dialog');
		var input = $('lm-token-input');
		input.value = '';
		input.placeholder = wrong ? 'that token was refused: try again' : 'token';
		return new Promise(function (resolve) {
			d.addEventListener('close', function onClose() {
				d.removeEventListener('close', onClose);
				var v = input.value.trim();
				resolve(d.returnValue === 'ok' && v !== '' ? v : null);
			});
			d.returnValue = '';
			d.showModal();
			input.focus();
		});
	}

	function storeToken(t) {
		try {
			if (t === null)
				sessionStorage.removeItem(TOKEN_KEY);
			else
				sessionStorage.setItem(TOKEN_KEY, t);
		} catch (e) {
			/* storage refused (privacy mode): the token lives in no tab */
		}
	}

	/*
	 * POST with the token. When the run wants one and the tab has none, ask
	 * first (a request sure to be refused would only cost a round trip);
	 * when the API still answers 401 (a wrong or changed token), ask once
	 * more and retry. Returns the Response, or null when the user cancelled.
	 */
	async function post(path, body) {
		if (!token() && st.status && st.status.token_required) {
			var t0 = await askToken(false);
			if (t0 === null)
				return null;
			storeToken(t0);
		}
		var r = await send(path, body);
		if (r.status !== 401)
			return r;
		storeToken(null);
		var t = await askToken(true);
		if (t === null)
			return null;
		storeToken(t);
		r = await send(path, body);
		if (r.status === 401)
			storeToken(null);
		return r;
	}

	async function reason(r) {
		var text = '';
		try {
			text = await r.text();
			var j = JSON.parse(text);
			text = j.error || j.message || text;
		} catch (e) {
			/* not JSON: the text as it is */
		}
		return 'HTTP ' + r.status + (text ? ': ' + String(text).slice(0, 200) : '');
	}

	function say(id, text, err) {
		var e = $(id);
		e.textContent = text;
		e.classList.toggle('err', !!err);
	}

	/* ---- history (the charts) ---- */

	function histRow(r) {
		return {
			t: r.t_s, users: r.users, connections: r.connections,
			req_s: r.req_s, fail_s: r.fail_s, p50: r.p50_ms, p99: r.p99_ms,
			steps: (r.steps || []).map(function (s) {
				return { req_s: s.req_s, p50: s.p50_ms, p99: s.p99_ms };
			}),
		};
	}

	/* true once it is loaded, or there is none to load (404: an older
	 * binary); false on a failure worth another try at the next poll */
	async function loadHistory() {
		var r, h;

		try {
			r = await fetch('/api/history', { cache: 'no-store' });
			if (r.status === 404)
				return true;
			if (!r.ok)
				return false;
			h = await r.json();
		} catch (e) {
			return false;
		}
		var rows = (h.rows || []).map(histRow);
		/* polls that came in before the history answered stay, after it */
		var last = rows.length ? rows[rows.length - 1].t : -Infinity;
		st.hist = rows.concat(st.hist.filter(function (p) { return p.t > last; }));
		st.chartsDirty = true;
		return true;
	}

	/* One point from a poll, at the run's elapsed time: a poll that lands
	 * in the same interval as the previous one replaces it. */
	function addPoint(status, stats) {
		if (!stats || !stats.totals)
			return;
		var t = status.elapsed_s;
		if (t === undefined || t === null)
			return;
		var tot = stats.totals;
		var iv = tot.interval_ms || {};
		var p = {
			t: t, users: stats.users !== undefined ? stats.users : status.users,
			connections: stats.connections !== undefined ? stats.connections : status.connections,
			req_s: tot.req_s, fail_s: tot.fail_s,
			p50: tot.requests ? iv.p50 : null, p99: tot.requests ? iv.p99 : null,
			steps: (stats.steps || []).map(function (s) {
				var v = s.interval_ms || {};
				return { req_s: s.req_s, p50: v.p50, p99: v.p99 };
			}),
		};
		var h = st.hist;
		var last = h.length ? h[h.length - 1] : null;
		if (last && t < last.t - st.interval)
			h.length = 0; /* elapsed went back: a new run on this port */
		else if (last && Math.abs(t - last.t) < st.interval * 0.5)
			h.pop();
		h.push(p);
		st.chartsDirty = true;
	}

	function thin(rows) {
		if (rows.length <= MAX_POINTS)
			return rows;
		var k = Math.ceil(rows.length / MAX_POINTS);
		return rows.filter(function (r, i) { return i % k === 0 || i === rows.length - 1; });
	}

	function drawCharts() {
		var rows = thin(st.hist);
		function pts(get) { return rows.map(function (r) { return [r.t, get(r)]; }); }
		var last = rows.length ? rows[rows.length - 1].t : 0;
		/* a minute at least, so that the first seconds do not fill the width */
		var time = { xFormat: C.fmtTime, xTime: true, xMin: 0, xMax: Math.max(60, last) };
		C.plot($('lm-chart-rps'), Object.assign({
			title: 'Requests and failures', yUnit: '/s', yFormat: C.fmtNum,
			series: [
				{ name: 'requests/s', points: pts(function (r) { return r.req_s; }) },
				{ name: 'failures/s', color: '#d1495b', points: pts(function (r) { return r.fail_s; }) },
			],
		}, time));
		var k = st.latencyStep;
		var sel = function (r) { return k === 'all' ? r : (r.steps && r.steps[+k]) || {}; };
		C.plot($('lm-chart-latency'), Object.assign({
			yUnit: 'ms', /* its title is in the page, beside the step's select */
			series: [
				{ name: 'p50', points: pts(function (r) { var v = sel(r).p50; return v === undefined ? null : v; }) },
				{ name: 'p99', color: '#e08e0b', points: pts(function (r) { var v = sel(r).p99; return v === undefined ? null : v; }) },
			],
		}, time));
		C.plot($('lm-chart-users'), Object.assign({
			title: 'Users and connections',
			series: [
				{ name: 'users', color: '#2a9d5b', points: pts(function (r) { return r.users; }) },
				{ name: 'connections', color: '#7b4fc9', dash: true, points: pts(function (r) { return r.connections; }) },
			],
		}, time));
		st.chartsDirty = false;
	}

	/* ---- the figures ---- */

	function stepName(s) {
		return s.scenario + '.' + s.step;
	}

	function fillStepSelect(steps) {
		var sel = $('lm-latency-step');
		var want = ['all'].concat(steps.map(function (s, i) { return String(i); }));
		var have = Array.prototype.map.call(sel.options, function (o) { return o.value; });
		if (want.join('|') === have.join('|'))
			return;
		while (sel.options.length > 1)
			sel.remove(1);
		steps.forEach(function (s, i) {
			var o = document.createElement('option');
			o.value = String(i);
			o.textContent = stepName(s);
			sel.appendChild(o);
		});
		if (want.indexOf(st.latencyStep) < 0)
			st.latencyStep = 'all';
		sel.value = st.latencyStep;
	}

	function sortValue(row, key) {
		if (key === 'name')
			return stepName(row);
		if (key === 'p50' || key === 'p90' || key === 'p99' || key === 'p999' || key === 'max')
			return (row.latency_ms || {})[key];
		return row[key];
	}

	function statRow(tr, s) {
		var lat = s.latency_ms || {};
		var has = s.requests > 0;
		numCell(tr, 'requests', s.requests, fmtInt(s.requests));
		var f = numCell(tr, 'failed', s.failed, fmtInt(s.failed));
		if (s.failed > 0)
			f.classList.add('bad');
		numCell(tr, 'req_s', s.req_s, fmtRate(s.req_s));
		numCell(tr, 'fail_s', s.fail_s, fmtRate(s.fail_s));
		['p50', 'p90', 'p99', 'p999', 'max'].forEach(function (k) {
			var v = has && lat[k] !== undefined ? lat[k] : null;
			numCell(tr, k, v, fmtMs(v), v === null ? '' : 'ms');
		});
		var rx = fmtBytes(s.rx_bytes), tx = fmtBytes(s.tx_bytes);
		numCell(tr, 'rx_bytes', s.rx_bytes, rx[0], rx[1]);
		numCell(tr, 'tx_bytes', s.tx_bytes, tx[0], tx[1]);
	}

	function drawStats(stats) {
		var tb = $('lm-stats').tBodies[0];
		var tf = $('lm-stats').tFoot;
		var steps = (stats.steps || []).slice();
		if (st.sortKey) {
			var k = st.sortKey, d = st.sortDir;
			steps.sort(function (a, b) {
				var x = sortValue(a, k), y = sortValue(b, k);
				if (x === y)
					return 0;
				if (x === undefined || x === null)
					return 1;
				if (y === undefined || y === null)
					return -1;
				return (x < y ? -1 : 1) * d;
			});
		}
		var body = document.createDocumentFragment();
		steps.forEach(function (s) {
			var tr = document.createElement('tr');
			tr.setAttribute('data-step', stepName(s));
			var td = document.createElement('td');
			td.className = 'name';
			var m = document.createElement('span');
			m.className = 'lm-method';
			m.textContent = s.method || '';
			td.appendChild(m);
			td.appendChild(document.createTextNode(stepName(s)));
			if (s.path) {
				var p = document.createElement('span');
				p.className = 'lm-path';
				p.textContent = s.path;
				td.appendChild(p);
			}
			tr.appendChild(td);
			statRow(tr, s);
			body.appendChild(tr);
		});
		tb.textContent = '';
		tb.appendChild(body);
		tf.textContent = '';
		if (stats.totals) {
			var tr = document.createElement('tr');
			tr.className = 'lm-total';
			tr.setAttribute('data-row', 'total');
			var td = document.createElement('td');
			td.textContent = 'Aggregated';
			tr.appendChild(td);
			statRow(tr, stats.totals);
			tf.appendChild(tr);
		}
	}

	function drawErrors(stats) {
		var errs = stats.errors || {};
		var rows = Object.keys(errs).filter(function (k) { return errs[k] > 0; })
			.sort(function (a, b) { return errs[b] - errs[a] || (a < b ? -1 : 1); });
		var sum = rows.reduce(function (n, k) { return n + errs[k]; }, 0);
		var tb = $('lm-errors').tBodies[0];
		tb.textContent = '';
		rows.forEach(function (k) {
			var tr = document.createElement('tr');
			tr.setAttribute('data-reason', k);
			var td = document.createElement('td');
			td.textContent = k;
			tr.appendChild(td);
			numCell(tr, 'count', errs[k], fmtInt(errs[k]));
			numCell(tr, 'share', errs[k] / sum, (100 * errs[k] / sum).toFixed(1), '%');
			tb.appendChild(tr);
		});
		$('lm-errors').hidden = rows.length === 0;
		$('lm-errors-none').hidden = rows.length !== 0;
	}

	function textCell(tr, text) {
		var td = document.createElement('td');
		td.textContent = text;
		tr.appendChild(td);
	}

	/* The plan's own servers (/api/stats "servers" and "routes"). */
	function drawServers(stats) {
		var sv = stats.servers;
		var card = $('lm-servers');
		if (!Array.isArray(sv) || sv.length === 0) {
			card.hidden = true;
			return;
		}
		card.hidden = false;
		var tb = $('lm-servers-table').tBodies[0];
		tb.textContent = '';
		sv.forEach(function (s) {
			var tr = document.createElement('tr');
			tr.setAttribute('data-server', s.name);
			textCell(tr, s.name);
			numCell(tr, 'connections', s.connections, fmtInt(s.connections));
			numCell(tr, 'requests', s.requests, fmtInt(s.requests));
			var tx = fmtBytes(s.tx_bytes);
			numCell(tr, 'tx_bytes', s.tx_bytes, tx[0], tx[1]);
			['bad_requests', 'overflows', 'resets', 'timeouts'].forEach(function (k) {
				var c = numCell(tr, k, s[k], fmtInt(s[k]));
				if (s[k] > 0)
					c.classList.add('bad');
			});
			tb.appendChild(tr);
		});
		var rt = $('lm-routes-table').tBodies[0];
		rt.textContent = '';
		(stats.routes || []).forEach(function (r) {
			var tr = document.createElement('tr');
			tr.setAttribute('data-route', r.server + ' ' + r.route);
			textCell(tr, r.server);
			textCell(tr, r.route);
			numCell(tr, 'requests', r.requests, fmtInt(r.requests));
			numCell(tr, 'req_s', r.req_s, fmtRate(r.req_s));
			var tx = fmtBytes(r.tx_bytes);
			numCell(tr, 'tx_bytes', r.tx_bytes, tx[0], tx[1]);
			rt.appendChild(tr);
		});
		$('lm-routes-table').hidden = !(stats.routes || []).length;
	}

	function drawHeader(status, stats) {
		var state = st.conn === 'disconnected' ? 'disconnected' : status.state;
		var pill = $('lm-state');
		pill.textContent = state;
		pill.setAttribute('data-state', state);
		setText('lm-plan', status.plan ? status.plan : '');
		document.title = (status.plan ? status.plan + ' – ' : '') + 'lemmings-dp (' + state + ')';
		var el = status.elapsed_s;
		setText('lm-elapsed', C.fmtTime(el) + (status.duration_s ? ' / ' + C.fmtTime(status.duration_s) : ''),
			el);
		var closed = status.model !== 'open';
		var live = status.state === 'starting' || status.state === 'running';
		/* users on their way to the target: while spawning, or after a change */
		if (closed && live && status.target_users !== undefined && status.target_users !== status.users)
			setText('lm-users', fmtInt(status.users) + ' → ' + fmtInt(status.target_users), status.users);
		else
			setText('lm-users', fmtInt(status.users), status.users);
		if (!closed && status.target_rate !== undefined)
			setText('lm-target', fmtRate(status.target_rate) + '/s', status.target_rate);
		else
			setText('lm-target', '–', null);
		var tot = stats && stats.totals;
		var done = status.state === 'done';
		var reqs = tot ? tot.requests : status.requests;
		var failed = tot ? tot.failed : status.failed;
		/* once done, the last interval's rate says nothing: the run's average */
		var rate = done ? (el > 0 ? reqs / el : null) :
			(tot && status.state !== 'waiting' ? tot.req_s : null);
		$('lm-rate-label').textContent = done ? 'Average rate' : 'Rate';
		setText('lm-rate', rate === null ? '–' : fmtRate(rate) + ' req/s', rate);
		var pct = reqs > 0 ? 100 * failed / reqs : 0;
		setText('lm-fail-pct', reqs > 0 ? pct.toFixed(pct > 0 && pct < 0.01 ? 3 : 2) + '%' : '–', pct);
		$('lm-fail-pct').classList.toggle('bad', failed > 0);
	}

	function drawControls(status) {
		var state = status.state;
		var live = st.conn !== 'disconnected';
		var closed = status.model !== 'open';
		/* the start form, like a run without --headless */
		var waiting = live && state === 'waiting';
		$('lm-start').hidden = !waiting;
		$('lm-start-users-field').hidden = !closed;
		$('lm-start-rate-field').hidden = closed;
		$('lm-start-users').required = waiting && closed;
		$('lm-start-rate').required = waiting && !closed;
		if (waiting && !st.startFilled) {
			if (closed && status.target_users !== undefined)
				$('lm-start-users').value = status.target_users;
			if (!closed && status.target_rate !== undefined)
				$('lm-start-rate').value = status.target_rate;
			if (status.max_users)
				$('lm-start-users').max = status.max_users;
			if (status.spawn_rate !== undefined)
				$('lm-start-spawn').value = status.spawn_rate;
			if (status.duration_s)
				$('lm-start-duration').value = status.duration_s;
			st.startFilled = true;
		}
		/* the live controls */
		var running = live && (state === 'starting' || state === 'running');
		var card = $('lm-control');
		card.hidden = !(live && state !== 'waiting');
		$('lm-users-field').hidden = !closed;
		$('lm-rate-field').hidden = closed;
		$('lm-users-input').disabled = !running;
		$('lm-rate-input').disabled = !running;
		$('lm-apply').disabled = !running || st.busy;
		$('lm-stop').disabled = !live || st.busy;
		/* after the run, a stop ends the wait of --linger */
		$('lm-stop').textContent = state === 'done' ? 'Exit' : 'Stop';
		if (status.max_users)
			$('lm-users-input').max = status.max_users;
		if (running && !st.loadFilled) {
			if (closed && status.target_users !== undefined)
				$('lm-users-input').value = status.target_users;
			if (!closed && status.target_rate !== undefined)
				$('lm-rate-input').value = status.target_rate;
			st.loadFilled = true;
		}
		/* downloads: the .hlog only when the run writes one */
		var hl = document.querySelector('#lm-downloads a[data-download="hlog"]');
		hl.hidden = status.hlog === false;
		$('lm-downloads-note').textContent = state === 'done'
			? 'Final figures: the run is done.'
			: 'Figures so far while the run goes on; final once it is done.';
		document.querySelectorAll('#lm-downloads a').forEach(function (a) {
			a.setAttribute('aria-disabled', live ? 'false' : 'true');
		});
	}

	function drawConn() {
		var b = $('lm-conn');
		b.setAttribute('data-conn', st.conn);
		if (st.conn === 'disconnected') {
			b.hidden = false;
			b.className = 'lm-banner';
			b.textContent = 'Disconnected: the run\'s API no longer answers (the process has exited?). ' +
				'The figures are the last ones received.';
		} else if (st.conn === 'error') {
			b.hidden = false;
			b.className = 'lm-banner';
			b.textContent = st.connError || 'The API answered with an error.';
		} else {
			b.hidden = true;
		}
	}

	function draw() {
		var s = st.status;
		if (s) {
			drawHeader(s, st.stats);
			drawControls(s);
		}
		if (st.stats) {
			fillStepSelect(st.stats.steps || []);
			drawStats(st.stats);
			drawErrors(st.stats);
			drawServers(st.stats);
		}
		drawConn();
		if (st.chartsDirty)
			drawCharts();
	}

	/* ---- the loop ---- */

	async function poll() {
		var res = await Promise.allSettled([getJSON('/api/status'), getJSON('/api/stats')]);
		if (res[0].status === 'fulfilled') {
			var status = res[0].value;
			st.conn = 'ok';
			/* the history once the run has one (none while it waits for its
			 * start), before this poll's point, which comes after it */
			if (!st.histLoaded && status.state !== 'waiting') {
				/* three tries, then the charts start from the polls */
				st.histTries = (st.histTries || 0) + 1;
				st.histLoaded = await loadHistory() || st.histTries >= 3;
			}
			if (status.interval_s > 0)
				st.interval = status.interval_s;
			if (res[1].status === 'fulfilled') {
				st.stats = res[1].value;
				if (st.stats.interval_s > 0)
					st.interval = st.stats.interval_s;
				if (status.state === 'starting' || status.state === 'running' ||
				    status.state === 'draining')
					addPoint(status, st.stats);
			}
			st.status = status;
		} else if (res[0].reason instanceof TypeError) {
			/* fetch rejects with a TypeError when nothing answers */
			st.conn = 'disconnected';
		} else {
			st.conn = 'error';
			st.connError = String(res[0].reason && res[0].reason.message);
		}
		draw();
	}

	async function loop() {
		try {
			await poll();
		} catch (e) {
			st.conn = 'error';
			st.connError = 'UI error: ' + e.message;
			drawConn();
		}
		/* gone: ask less often, it may come back (a new run on this port) */
		var wait = st.conn === 'disconnected' ? Math.max(5, st.interval) : st.interval;
		setTimeout(loop, wait * 1000);
	}

	/* ---- the controls ---- */

	async function act(msgId, path, body, what) {
		st.busy = true;
		draw();
		say(msgId, what + '…');
		try {
			var r = await post(path, body);
			if (r === null)
				say(msgId, 'Cancelled: no token given.', true);
			else if (r.status === 202 || r.ok)
				say(msgId, what + ': accepted.');
			else
				say(msgId, what + ' refused: ' + await reason(r), true);
			return r;
		} catch (e) {
			say(msgId, what + ' failed: ' + e.message, true);
			return null;
		} finally {
			st.busy = false;
			draw();
		}
	}

	function number(id) {
		var v = $(id).value.trim();
		return v === '' ? null : Number(v);
	}

	function onApply(ev) {
		ev.preventDefault();
		var closed = !st.status || st.status.model !== 'open';
		var v = number(closed ? 'lm-users-input' : 'lm-rate-input');
		if (v === null || !isFinite(v) || v < 0 || (closed && v !== Math.floor(v))) {
			say('lm-control-msg', closed ? 'Users: a whole number, 0 or more.' : 'Rate: a number, 0 or more.', true);
			return;
		}
		var body = closed ? { users: v } : { rate: v };
		act('lm-control-msg', '/api/load', body, closed ? 'Users ' + v : 'Rate ' + v + '/s');
	}

	function onStop() {
		var done = st.status && st.status.state === 'done';
		act('lm-control-msg', '/api/stop', undefined, done ? 'Exit' : 'Stop');
	}

	function onStart(ev) {
		ev.preventDefault();
		var closed = !st.status || st.status.model !== 'open';
		var body = {};
		var v = number(closed ? 'lm-start-users' : 'lm-start-rate');
		if (v === null || !isFinite(v) || v <= 0 || (closed && v !== Math.floor(v))) {
			say('lm-start-msg', closed ? 'Users: a whole number, 1 or more.' : 'Rate: a number above 0.', true);
			return;
		}
		body[closed ? 'users' : 'rate'] = v;
		var sp = number('lm-start-spawn');
		if (sp !== null) {
			if (!isFinite(sp) || sp < 0) {
				say('lm-start-msg', 'Spawn rate: 0 or more.', true);
				return;
			}
			body.spawn_rate = sp;
		}
		var d = number('lm-start-duration');
		if (d !== null) {
			if (!isFinite(d) || d <= 0) {
				say('lm-start-msg', 'Duration: seconds, above 0.', true);
				return;
			}
			body.duration = d;
		}
		act('lm-start-msg', '/api/start', body, 'Start');
	}

	function onSort(ev) {
		var th = ev.target.closest('th[data-sort]');
		if (!th)
			return;
		var k = th.getAttribute('data-sort');
		if (st.sortKey === k)
			st.sortDir = -st.sortDir;
		else {
			st.sortKey = k;
			st.sortDir = k === 'name' ? 1 : -1;
		}
		document.querySelectorAll('#lm-stats th[data-sort]').forEach(function (h) {
			if (h === th)
				h.setAttribute('aria-sort', st.sortDir > 0 ? 'ascending' : 'descending');
			else
				h.removeAttribute('aria-sort');
		});
		if (st.stats)
			drawStats(st.stats);
	}

	function init() {
		$('lm-load-form').addEventListener('submit', onApply);
		$('lm-stop').addEventListener('click', onStop);
		$('lm-start-form').addEventListener('submit', onStart);
		$('lm-stats').tHead.addEventListener('click', onSort);
		$('lm-latency-step').addEventListener('change', function (ev) {
			st.latencyStep = ev.target.value;
			drawCharts();
		});
		drawCharts();
		loop();
	}

	init();
})();
