/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report's page: builds everything from the JSON of the page's
 * data element (a script element of type application/json, id
 * lm-report-data; docs/report.md has its format). No tag is written out
 * here: this file is inlined in that page, whose readers look for the
 * element's tag. The report is one file that opens from file:// with no
 * network, so this is a classic script inlined after charts.js, and it
 * reads nothing but that element.
 */
(function () {
	'use strict';

	var C = window.LmCharts;
	var fmtInt = C.fmtInt, fmtRate = C.fmtRate, fmtMs = C.fmtMs,
		fmtBytes = C.fmtBytes;
	/* charts are drawn once their host is in the page: they take its width */
	var later = [];

	function h(tag, attrs, kids) {
		var e = document.createElement(tag);
		if (attrs)
			Object.keys(attrs).forEach(function (k) {
				if (attrs[k] === undefined || attrs[k] === null)
					return;
				if (k === 'class')
					e.className = attrs[k];
				else if (k === 'text')
					e.textContent = attrs[k];
				else
					e.setAttribute(k, String(attrs[k]));
			});
		(kids || []).forEach(function (c) {
			if (c === null || c === undefined)
				return;
			e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
		});
		return e;
	}

	/* A threshold's measured value: ms as in the tables, rates as rates,
	 * small ratios (error rates) with their significant digits. */
	function fmtValue(v, unit) {
		if (v === null || v === undefined || !isFinite(v))
			return '–';
		if (unit === 'ms')
			return fmtMs(v);
		if (Math.abs(v) >= 1)
			return fmtRate(v);
		return String(+Number(v).toPrecision(3));
	}

	function num(col, value, text, unit) {
		return h('td', { class: 'num', 'data-col': col,
			'data-value': value === null || value === undefined ? '' : value },
		[text, unit ? h('span', { class: 'u', text: unit }) : null]);
	}

	function card(title, id, kids) {
		return h('section', { class: 'lm-card', id: id }, [h('h2', { text: title })].concat(kids));
	}

	function stepName(s) {
		return s.scenario + '.' + s.step;
	}

	/* ---- the parts ---- */

	function header(d) {
		var sub = [];
		if (d.source === 'hlog')
			sub.push('from ' + (d.sources || []).join(', '));
		if (d.generated)
			sub.push('generated ' + d.generated.replace('T', ' ').replace('Z', ' UTC'));
		if (d.duration_s !== undefined)
			sub.push('duration ' + C.fmtTime(d.duration_s));
		var verdict = null;
		if (Array.isArray(d.thresholds) && d.thresholds.length) {
			var ok = d.thresholds.every(function (t) { return t.passed; });
			verdict = h('span', { class: 'lm-verdict ' + (ok ? 'pass' : 'fail'), id: 'lm-rep-verdict',
				'data-passed': ok, text: ok ? ' · thresholds passed' : ' · thresholds FAILED' });
		}
		return h('header', {}, [
			h('h1', { id: 'lm-rep-title', text: d.title || 'lemmings-dp report' }),
			h('div', { class: 'muted' }, [sub.join(' · '), verdict]),
		]);
	}

	function planCard(p) {
		if (!p)
			return null;
		var rows = [];
		function add(k, v) {
			if (v === undefined || v === null || v === '')
				return;
			rows.push(h('dt', { text: k }), h('dd', { text: String(v) }));
		}
		add('Plan', p.name);
		add('Model', p.model);
		if (p.model === 'open') {
			add('Rate', p.rate !== undefined ? p.rate + ' sessions/s' : undefined);
			add('Arrival', p.arrival);
		} else
			add('Users', p.users);
		add('Spawn rate', p.spawn_rate ? p.spawn_rate + '/s' : p.spawn_rate === 0 ? 'all at once' : undefined);
		add('Duration', p.duration_s !== undefined ? C.fmtTime(p.duration_s) + ' (' + p.duration_s + ' s)' : undefined);
		add('Runs at most', p.max_runs ? p.max_runs : undefined); /* 0: no limit */
		add('Workers', p.workers);
		if (Array.isArray(p.stages) && p.stages.length)
			add('Stages', p.stages.map(function (s) {
				return s.target + ' for ' + s.duration_s + ' s';
			}).join(', '));
		var sc = (p.scenarios || []).map(function (s) {
			return h('li', {}, [
				h('strong', { text: s.name }),
				s.weight !== undefined ? ' (weight ' + s.weight + '): ' : ': ',
				(s.steps || []).map(function (t) {
					return t.name + (t.method || t.path ? ' [' + [t.method, t.path].filter(Boolean).join(' ') + ']' : '') +
						(t.kind && t.kind !== 'http' ? ' (' + t.kind + ')' : '');
				}).join(' → '),
			]);
		});
		return card('Plan', 'lm-rep-plan', [
			h('dl', { class: 'lm-params' }, rows),
			sc.length ? h('ul', { class: 'lm-list' }, sc) : null,
		]);
	}

	function thresholdCard(ts) {
		if (!Array.isArray(ts))
			return null;
		if (ts.length === 0)
			return card('Thresholds', 'lm-rep-thresholds', [h('p', { class: 'muted', text: 'The plan sets none.' })]);
		var body = ts.map(function (t) {
			return h('tr', { class: t.passed ? 'pass' : 'fail', 'data-passed': !!t.passed,
				'data-metric': t.metric }, [
				h('td', { text: t.text || [t.metric, t.op, t.limit, t.unit].join(' ') }),
				h('td', { text: t.scope || 'all' }),
				num('value', t.value, fmtValue(t.value, t.unit), t.unit),
				h('td', { class: 'verdict', text: t.passed ? 'pass' : 'FAIL' }),
			]);
		});
		return card('Thresholds', 'lm-rep-thresholds', [
			h('table', { class: 'lm-table', id: 'lm-thresholds' }, [
				h('thead', {}, [h('tr', {}, [h('th', { text: 'Threshold' }), h('th', { text: 'Scope' }),
					h('th', { class: 'num', text: 'Value' }), h('th', { text: 'Result' })])]),
				h('tbody', {}, body),
			]),
		]);
	}

	function timeCharts(d) {
		var s = d.series;
		if (!s || !Array.isArray(s.t_s) || s.t_s.length === 0)
			return null;
		function pts(a) {
			return Array.isArray(a) ? s.t_s.map(function (t, i) { return [t, a[i] === undefined ? null : a[i]]; }) : null;
		}
		var rps = h('div', { id: 'lm-rep-rps' });
		var lat = h('div', { id: 'lm-rep-latency' });
		var time = { xFormat: C.fmtTime, xTime: true, xMin: 0 };
		var rpsSeries = [{ name: 'requests/s', points: pts(s.req_s) }];
		/* an .hlog holds no failures: its fail_s entries are null */
		var hasFail = Array.isArray(s.fail_s) && s.fail_s.some(function (v) { return v !== null; });
		if (hasFail)
			rpsSeries.push({ name: 'failures/s', color: '#d1495b', points: pts(s.fail_s) });
		later.push(function () {
			C.plot(rps, Object.assign({ title: hasFail ? 'Requests and failures' : 'Requests', yUnit: '/s',
				series: rpsSeries }, time));
			C.plot(lat, Object.assign({ title: 'Latency per interval', yUnit: 'ms', series: [
				{ name: 'p50', points: pts(s.p50_ms) },
				{ name: 'p99', color: '#e08e0b', points: pts(s.p99_ms) },
			] }, time));
		});
		var kids = [h('div', { class: 'lm-card' }, [rps]), h('div', { class: 'lm-card' }, [lat])];
		if (Array.isArray(s.users)) {
			var us = h('div', { id: 'lm-rep-users' });
			later.push(function () {
				C.plot(us, Object.assign({ title: 'Users', series: [{ name: 'users', color: '#2a9d5b',
					points: pts(s.users) }] }, time));
			});
			kids.push(h('div', { class: 'lm-card' }, [us]));
		}
		return h('section', { class: 'lm-charts', id: 'lm-rep-time' }, kids);
	}

	function spectra(d) {
		var steps = (d.steps || []).filter(function (s) { return Array.isArray(s.spectrum) && s.spectrum.length; });
		if (!steps.length)
			return null;
		var plots = steps.map(function (s) {
			var e = h('div', { class: 'lm-spectrum', 'data-step': stepName(s) });
			later.push(function () {
				C.spectrum(e, { title: stepName(s), series: [{ name: stepName(s), points: s.spectrum }] });
			});
			return h('div', {}, [e]);
		});
		var all = null;
		if (steps.length > 1) {
			all = h('div', { class: 'lm-spectrum', 'data-step': '*' });
			later.push(function () {
				C.spectrum(all, { title: 'All steps', legend: true, series: steps.map(function (s) {
					return { name: stepName(s), points: s.spectrum };
				}) });
			});
			plots.unshift(h('div', {}, [all]));
		}
		return card('Latency by percentile', 'lm-rep-spectra', [
			h('p', { class: 'lm-note lm-lead',
				text: 'Each step\'s latency at every percentile; the axis stretches the tail: ' +
					'90%, 99%, 99.9% ... are equally spaced.' }),
			h('div', { class: 'lm-spectra' }, plots),
		]);
	}

	function statRow(tr, s, hlog) {
		var lat = s.latency_ms || {};
		var has = s.requests > 0;
		tr.appendChild(num('requests', s.requests, fmtInt(s.requests)));
		if (!hlog) {
			var f = num('failed', s.failed, fmtInt(s.failed));
			if (s.failed > 0)
				f.classList.add('bad');
			tr.appendChild(f);
		}
		tr.appendChild(num('req_s', s.req_s, fmtRate(s.req_s)));
		['p50', 'p90', 'p99', 'p999', 'max', 'mean'].forEach(function (k) {
			var v = has && lat[k] !== undefined ? lat[k] : null;
			tr.appendChild(num(k, v, fmtMs(v), v === null ? '' : 'ms'));
		});
		if (!hlog) {
			var rx = fmtBytes(s.rx_bytes), tx = fmtBytes(s.tx_bytes);
			tr.appendChild(num('rx_bytes', s.rx_bytes, rx[0], rx[1]));
			tr.appendChild(num('tx_bytes', s.tx_bytes, tx[0], tx[1]));
		}
	}

	function statsCard(d) {
		var hlog = d.source === 'hlog';
		var heads = ['Step', 'Requests'].concat(hlog ? [] : ['Failures'],
			['Req/s', 'p50', 'p90', 'p99', 'p99.9', 'Max', 'Mean'], hlog ? [] : ['Received', 'Sent']);
		var rows = (d.steps || []).map(function (s) {
			var tr = h('tr', { 'data-step': stepName(s) }, [h('td', { class: 'name' }, [
				s.method ? h('span', { class: 'lm-method', text: s.method }) : null,
				stepName(s),
				s.path ? h('span', { class: 'lm-path', text: s.path }) : null,
			])]);
			statRow(tr, s, hlog);
			return tr;
		});
		var foot = null;
		if (d.totals) {
			var tr = h('tr', { class: 'lm-total', 'data-row': 'total' }, [h('td', { text: 'Aggregated' })]);
			statRow(tr, d.totals, hlog);
			foot = h('tfoot', {}, [tr]);
		}
		return card('Statistics', 'lm-rep-stats-card', [h('div', { class: 'lm-scroll' }, [
			h('table', { class: 'lm-table', id: 'lm-rep-stats' }, [
				h('thead', {}, [h('tr', {}, heads.map(function (t, i) {
					return h('th', { class: i ? 'num' : null, text: t });
				}))]),
				h('tbody', {}, rows),
				foot,
			]),
		]), h('p', { class: 'lm-note',
			text: hlog ? 'From the latency log: requests are the samples it holds.' :
				'Req/s: the run\'s average. Latency percentiles over the whole run.' })]);
	}

	function errorsCard(d) {
		if (d.source === 'hlog')
			return null;
		var errs = d.errors || {};
		var keys = Object.keys(errs).filter(function (k) { return errs[k] > 0; })
			.sort(function (a, b) { return errs[b] - errs[a] || (a < b ? -1 : 1); });
		if (!keys.length)
			return card('Errors by reason', 'lm-rep-errors-card', [h('p', { class: 'muted', text: 'No errors.' })]);
		var sum = keys.reduce(function (n, k) { return n + errs[k]; }, 0);
		/* which steps each reason came from */
		function where(k) {
			return (d.steps || []).filter(function (s) { return s.errors && s.errors[k] > 0; })
				.map(function (s) { return stepName(s) + ' (' + fmtInt(s.errors[k]) + ')'; }).join(', ');
		}
		return card('Errors by reason', 'lm-rep-errors-card', [h('table', { class: 'lm-table', id: 'lm-rep-errors' }, [
			h('thead', {}, [h('tr', {}, [h('th', { text: 'Reason' }), h('th', { class: 'num', text: 'Count' }),
				h('th', { class: 'num', text: 'Share' }), h('th', { text: 'Steps' })])]),
			h('tbody', {}, keys.map(function (k) {
				return h('tr', { 'data-reason': k }, [h('td', { text: k }), num('count', errs[k], fmtInt(errs[k])),
					num('share', errs[k] / sum, (100 * errs[k] / sum).toFixed(1), '%'),
					h('td', { class: 'name', text: where(k) })]);
			})),
		])]);
	}

	function fail(msg) {
		document.body.appendChild(h('main', {}, [h('div', { class: 'lm-banner', id: 'lm-rep-error', text: msg })]));
	}

	function build() {
		var src = document.getElementById('lm-report-data');
		var d;
		try {
			d = JSON.parse(src ? src.textContent : '');
		} catch (e) {
			fail('This report carries no readable data: ' + e.message);
			return;
		}
		document.title = (d.title || 'lemmings-dp') + ' – report';
		document.body.classList.add('lm-report');
		var main = h('main', { id: 'lm-report' }, [
			header(d),
			h('div', { class: 'lm-row' }, [planCard(d.plan), thresholdCard(d.thresholds)]),
			timeCharts(d),
			spectra(d),
			statsCard(d),
			errorsCard(d),
			h('p', { class: 'lm-foot', text: 'lemmings-dp HTML report' + (d.source === 'hlog' ?
				' (from HdrHistogram interval logs)' : '') }),
		]);
		document.body.appendChild(main);
		later.forEach(function (f) { f(); });
		document.body.setAttribute('data-ready', 'true');
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', build);
	else
		build();
})();
