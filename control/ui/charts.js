/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small SVG line charts for the live UI (app.js) and the HTML report
 * (report.js). A classic script, not a module: the report inlines it in a
 * file that must open from file:// with no network, where modules would be
 * refused. Everything hangs off one global, LmCharts.
 *
 *   LmCharts.plot(el, spec) draws into el (its content is replaced):
 *     spec.title     text above the plot
 *     spec.series    [{name, points: [[x, y], ...], color?, dash?}]
 *                    (a null y leaves a gap: an interval with no answer)
 *     spec.xTicks    [{v, label}] fixed ticks, or spec.xFormat(v) for
 *                    ticks chosen here
 *     spec.yFormat   label of a y value (default: 3 significant digits)
 *     spec.yUnit     shown after the title and in the tooltip
 *     spec.xMin/xMax/yMax  the ranges, else the data's (y from 0)
 *     spec.tipX(v)   how the tooltip names an x (default xFormat)
 *     spec.xTime     the x axis is seconds: ticks on whole seconds, minutes ...
 *   It returns the <svg>; el gets data-series (the number of series) and
 *   each line data-series-name, for tests and for styling.
 */
(function (global) {
	'use strict';

	var SVGNS = 'http://www.w3.org/2000/svg';
	/* Readable on white, and told apart by people with the usual colour
	 * blindness (the first ones matter most). */
	var PALETTE = ['#1f6fd1', '#d1495b', '#2a9d5b', '#e08e0b', '#7b4fc9',
		'#1a9bb0', '#8c5a2b', '#c2418f', '#5b6770', '#9aa31a'];
	var H = 240;
	var PAD = { left: 56, right: 26, top: 10, bottom: 30 };
	/* what was drawn where, to draw again at the new width on a resize */
	var drawn = [];

	function el(name, attrs, parent) {
		var e = document.createElementNS(SVGNS, name);
		for (var k in attrs)
			if (Object.prototype.hasOwnProperty.call(attrs, k))
				e.setAttribute(k, String(attrs[k]));
		if (parent)
			parent.appendChild(e);
		return e;
	}

	/* 3 significant digits, with k/M for big numbers: axis labels and
	 * tooltips stay short. */
	function fmtNum(v) {
		if (v === null || v === undefined || !isFinite(v))
			return '–';
		var a = Math.abs(v);
		if (a >= 1e9)
			return +(v / 1e9).toPrecision(3) + 'G';
		if (a >= 1e6)
			return +(v / 1e6).toPrecision(3) + 'M';
		if (a >= 1e4)
			return +(v / 1e3).toPrecision(3) + 'k';
		if (a === 0)
			return '0';
		if (a >= 100)
			return String(Math.round(v));
		return String(+v.toPrecision(3));
	}

	/* Seconds as m:ss (or h:mm:ss): the x axis of every time chart. */
	function fmtTime(s) {
		if (s === null || s === undefined || !isFinite(s))
			return '–';
		var neg = s < 0;
		s = Math.round(Math.abs(s));
		var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
		var t = (h > 0 ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' +
			(sec < 10 ? '0' : '') + sec;
		return (neg ? '-' : '') + t;
	}

	/* About n round ticks (1, 2 or 5 times a power of ten) over [lo, hi]. */
	function niceTicks(lo, hi, n) {
		if (!(hi > lo))
			hi = lo + 1;
		var raw = (hi - lo) / Math.max(1, n);
		var p = Math.pow(10, Math.floor(Math.log10(raw)));
		var f = raw / p;
		var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
		var out = [];
		for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
			out.push(+v.toPrecision(12));
		return { ticks: out, step: step };
	}

	/*
	 * The SVG is as wide as its host, in CSS pixels, so that its text keeps
	 * the page's size whatever the width: a fixed viewBox scaled to fit
	 * would make it tiny in a narrow card and huge in a wide one.
	 */
	/* Ticks of a time axis in seconds: whole seconds, then 5, 10, 15, 30 s,
	 * minutes, ... as a clock would be read. */
	var TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
		10800, 21600, 43200, 86400];
	function timeTicks(lo, hi, n) {
		var raw = (hi - lo) / Math.max(1, n), step = TIME_STEPS[TIME_STEPS.length - 1];
		for (var i = 0; i < TIME_STEPS.length; i++)
			if (TIME_STEPS[i] >= raw) {
				step = TIME_STEPS[i];
				break;
			}
		var out = [];
		for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step)
			out.push(v);
		return out;
	}

	function plot(host, spec) {
		var W = Math.max(280, Math.round(host.clientWidth || spec.width || 640));
		var found = drawn.some(function (d) { return d.host === host && (d.spec = spec); });
		if (!found)
			drawn.push({ host: host, spec: spec });
		var series = (spec.series || []).filter(function (s) { return s; });
		var xFormat = spec.xFormat || fmtNum;
		var yFormat = spec.yFormat || fmtNum;
		var tipX = spec.tipX || xFormat;
		var xs = [], ys = [];

		series.forEach(function (s) {
			(s.points || []).forEach(function (p) {
				if (p && isFinite(p[0])) {
					xs.push(p[0]);
					if (p[1] !== null && isFinite(p[1]))
						ys.push(p[1]);
				}
			});
		});
		var xMin = spec.xMin !== undefined ? spec.xMin : (xs.length ? Math.min.apply(null, xs) : 0);
		var xMax = spec.xMax !== undefined ? spec.xMax : (xs.length ? Math.max.apply(null, xs) : 1);
		if (!(xMax > xMin))
			xMax = xMin + 1;
		var yTop = spec.yMax !== undefined ? spec.yMax : (ys.length ? Math.max.apply(null, ys) : 0);
		var yt = niceTicks(0, yTop > 0 ? yTop * 1.05 : 1, 4);
		var yMax = yt.ticks[yt.ticks.length - 1];
		if (yMax < yTop)
			yMax += yt.step;

		var iw = W - PAD.left - PAD.right, ih = H - PAD.top - PAD.bottom;
		function sx(x) { return PAD.left + (x - xMin) / (xMax - xMin) * iw; }
		function sy(y) { return PAD.top + ih - y / yMax * ih; }

		host.textContent = '';
		host.classList.add('lm-chart');
		if (spec.title) {
			var t = document.createElement('div');
			t.className = 'lm-chart-title';
			t.textContent = spec.title + (spec.yUnit ? ' (' + spec.yUnit + ')' : '');
			host.appendChild(t);
		}
		var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
			'aria-label': spec.title || 'chart' }, host);

		/* grid and y labels */
		var g = el('g', { 'class': 'lm-grid' }, svg);
		yt.ticks.forEach(function (v) {
			if (v > yMax)
				return;
			el('line', { x1: PAD.left, x2: W - PAD.right, y1: sy(v), y2: sy(v) }, g);
			var lab = el('text', { x: PAD.left - 6, y: sy(v) + 4, 'text-anchor': 'end',
				'class': 'lm-axis' }, svg);
			lab.textContent = yFormat(v);
		});
		var xt = spec.xTicks || (spec.xTime ? timeTicks(xMin, xMax, 6) : niceTicks(xMin, xMax, 6).ticks).map(function (v) {
			return { v: v, label: xFormat(v) };
		});
		xt.forEach(function (tk) {
			if (tk.v < xMin - 1e-9 || tk.v > xMax + 1e-9)
				return;
			el('line', { x1: sx(tk.v), x2: sx(tk.v), y1: PAD.top, y2: PAD.top + ih }, g);
			var lab = el('text', { x: sx(tk.v), y: H - PAD.bottom + 16, 'text-anchor': 'middle',
				'class': 'lm-axis' }, svg);
			lab.textContent = tk.label;
		});
		el('rect', { x: PAD.left, y: PAD.top, width: iw, height: ih, 'class': 'lm-frame' }, svg);

		/* the lines: a path per run of points without a gap */
		series.forEach(function (s, i) {
			var color = s.color || PALETTE[i % PALETTE.length];
			var d = '', pen = false;
			(s.points || []).forEach(function (p) {
				if (!p || p[1] === null || p[1] === undefined || !isFinite(p[1]) ||
				    !isFinite(p[0])) {
					pen = false;
					return;
				}
				d += (pen ? 'L' : 'M') + sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1);
				pen = true;
			});
			var path = el('path', { d: d || 'M0,0', fill: 'none', stroke: color,
				'stroke-width': 2, 'stroke-linejoin': 'round',
				'class': 'lm-line', 'data-series-name': s.name || '' }, svg);
			if (s.dash)
				path.setAttribute('stroke-dasharray', '5 4');
			if (!d)
				path.setAttribute('visibility', 'hidden');
			s._color = color;
		});
		host.setAttribute('data-series', String(series.length));

		/* the legend, in HTML so that long step names wrap */
		if (series.length > 1 || spec.legend) {
			var lg = document.createElement('div');
			lg.className = 'lm-legend';
			series.forEach(function (s) {
				var it = document.createElement('span');
				var sw = document.createElement('i');
				sw.style.background = s._color;
				it.appendChild(sw);
				it.appendChild(document.createTextNode(s.name || ''));
				lg.appendChild(it);
			});
			host.appendChild(lg);
		}

		addHover(svg, W, series, { sx: sx, sy: sy, xMin: xMin, xMax: xMax, iw: iw, ih: ih,
			tipX: tipX, yFormat: yFormat, yUnit: spec.yUnit || '' });
		return svg;
	}

	/* A vertical rule and the values of every series at the x nearest the
	 * pointer. */
	function addHover(svg, W, series, m) {
		var rule = el('line', { y1: PAD.top, y2: PAD.top + m.ih, 'class': 'lm-rule',
			visibility: 'hidden' }, svg);
		var box = el('g', { visibility: 'hidden', 'class': 'lm-tip' }, svg);
		var bg = el('rect', { rx: 3, ry: 3 }, box);
		var txt = el('text', {}, box);
		var zone = el('rect', { x: PAD.left, y: PAD.top, width: m.iw, height: m.ih,
			fill: 'transparent' }, svg);

		function nearest(points, x) {
			var best = null, bd = Infinity;
			for (var i = 0; i < points.length; i++) {
				var p = points[i];
				if (!p)
					continue;
				var d = Math.abs(p[0] - x);
				if (d < bd) {
					bd = d;
					best = p;
				}
			}
			return best;
		}

		zone.addEventListener('mousemove', function (ev) {
			var r = svg.getBoundingClientRect();
			if (!r.width)
				return;
			var px = (ev.clientX - r.left) * W / r.width;
			var x = m.xMin + (px - PAD.left) / m.iw * (m.xMax - m.xMin);
			var lines = [], at = null;
			series.forEach(function (s) {
				var p = nearest(s.points || [], x);
				if (!p)
					return;
				if (at === null)
					at = p[0];
				lines.push((s.name ? s.name + ': ' : '') + m.yFormat(p[1]) +
					(m.yUnit ? ' ' + m.yUnit : ''));
			});
			if (at === null)
				return;
			rule.setAttribute('x1', m.sx(at));
			rule.setAttribute('x2', m.sx(at));
			rule.setAttribute('visibility', 'visible');
			while (txt.firstChild)
				txt.removeChild(txt.firstChild);
			[m.tipX(at)].concat(lines).forEach(function (s, i) {
				var ts = el('tspan', { x: 8, dy: i === 0 ? 14 : 14 }, txt);
				ts.textContent = s;
			});
			var wide = 0;
			[m.tipX(at)].concat(lines).forEach(function (s) { wide = Math.max(wide, s.length); });
			var bw = wide * 6.6 + 16, bh = (lines.length + 1) * 14 + 8;
			var bx = m.sx(at) + 10;
			if (bx + bw > W - PAD.right)
				bx = m.sx(at) - 10 - bw;
			bg.setAttribute('width', bw);
			bg.setAttribute('height', bh);
			box.setAttribute('transform', 'translate(' + bx.toFixed(1) + ',' + PAD.top + ')');
			box.setAttribute('visibility', 'visible');
		});
		zone.addEventListener('mouseleave', function () {
			rule.setAttribute('visibility', 'hidden');
			box.setAttribute('visibility', 'hidden');
		});
	}

	/*
	 * The x of a percentile on the spectrum's axis: log10(1 / (1 - p)), so
	 * that 90%, 99%, 99.9% ... are one step apart, as HdrHistogram's plots
	 * show them. 100% has no place on that axis: the caller puts it at the
	 * right end.
	 */
	function pctX(p) {
		if (p >= 100)
			return Infinity;
		return Math.log10(100 / (100 - p));
	}

	/* "0%", "90%", "99%", "99.9%", ... for x = 0, 1, 2, 3, ... */
	function pctLabel(decade) {
		if (decade === 0)
			return '0%';
		var s = '99.99999999'.slice(0, decade + (decade > 2 ? 1 : 0));
		if (decade === 1)
			s = '90';
		return s + '%';
	}

	/*
	 * spectrum(el, {title, series: [{name, points: [[percentile, ms]]}]}):
	 * latency against percentile. The axis runs to the decade past the
	 * last finite percentile (at least 99.9%); the 100% point (the max) is
	 * drawn at that end.
	 */
	function spectrum(host, spec) {
		var far = 3;
		(spec.series || []).forEach(function (s) {
			(s.points || []).forEach(function (p) {
				var x = pctX(p[0]);
				if (isFinite(x))
					far = Math.max(far, Math.ceil(x - 1e-9));
			});
		});
		far = Math.min(far, 8);
		var ticks = [];
		for (var d = 0; d <= far; d++)
			ticks.push({ v: d, label: pctLabel(d) });
		var series = (spec.series || []).map(function (s) {
			return {
				name: s.name, color: s.color,
				points: (s.points || []).map(function (p) {
					var x = pctX(p[0]);
					return [isFinite(x) ? Math.min(x, far) : far, p[1]];
				}),
			};
		});
		return plot(host, {
			lmSpectrum: spec,
			title: spec.title, yUnit: spec.yUnit || 'ms', series: series,
			xTicks: ticks, xMin: 0, xMax: far, legend: spec.legend,
			tipX: function (x) {
				var p = 100 - 100 / Math.pow(10, x);
				return 'p' + (+p.toPrecision(x > 3 ? x + 2 : 4)) + '';
			},
		});
	}

	var resizeTimer = null;
	function redrawAll() {
		drawn = drawn.filter(function (d) { return d.host.isConnected; });
		drawn.forEach(function (d) {
			if (d.host.clientWidth && d.host.querySelector('svg') &&
			    Math.abs(d.host.querySelector('svg').getAttribute('width') - d.host.clientWidth) > 2)
				(d.spec.lmSpectrum ? spectrum : plot)(d.host, d.spec.lmSpectrum || d.spec);
		});
	}
	if (typeof window !== 'undefined' && window.addEventListener)
		window.addEventListener('resize', function () {
			clearTimeout(resizeTimer);
			resizeTimer = setTimeout(redrawAll, 150);
		});

	/* ---- numbers for the tables and headers (both pages) ---- */

	function fmtInt(n) {
		if (n === null || n === undefined || !isFinite(n))
			return '–';
		return Math.round(n).toLocaleString('en-US');
	}

	function fmtRate(r) {
		if (r === null || r === undefined || !isFinite(r))
			return '–';
		if (r >= 100)
			return fmtInt(r);
		return r.toFixed(r >= 10 ? 1 : 2);
	}

	/* Milliseconds with the digits that mean something at that size. */
	function fmtMs(v) {
		if (v === null || v === undefined || !isFinite(v))
			return '–';
		if (v >= 100)
			return fmtInt(v);
		if (v >= 10)
			return v.toFixed(1);
		if (v >= 1)
			return v.toFixed(2);
		return v.toFixed(3);
	}

	function fmtBytes(b) {
		if (b === null || b === undefined || !isFinite(b))
			return ['–', ''];
		var units = ['B', 'kB', 'MB', 'GB', 'TB'];
		var i = 0;
		while (b >= 1000 && i < units.length - 1) {
			b /= 1000;
			i++;
		}
		return [i === 0 ? String(b) : b.toFixed(b >= 100 ? 0 : b >= 10 ? 1 : 2), units[i]];
	}

	global.LmCharts = {
		plot: plot,
		spectrum: spectrum,
		fmtNum: fmtNum,
		fmtTime: fmtTime,
		niceTicks: niceTicks,
		pctX: pctX,
		palette: PALETTE,
		fmtInt: fmtInt,
		fmtRate: fmtRate,
		fmtMs: fmtMs,
		fmtBytes: fmtBytes,
	};
})(typeof window !== 'undefined' ? window : this);
