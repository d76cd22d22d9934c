#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// wrap_report.js DATA.json OUT.html: a report page around DATA, laid out as
// the binary writes one (docs/ui.md), from control/ui/'s files. For a test
// of report.js alone, before or beside the binary's own --html.
'use strict';
const fs = require('fs');
const path = require('path');

if (process.argv.length !== 4) {
	process.stderr.write('usage: wrap_report.js DATA.json OUT.html\n');
	process.exit(2);
}
const ui = path.join(__dirname, '..', '..', 'control', 'ui');
const read = (f) => fs.readFileSync(path.join(ui, f), 'utf8');
const data = JSON.stringify(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))
	.replace(/</g, '\\u003c');
const page = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n' +
	'<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
	'<title>lemmings-dp report</title>\n<style>\n' + read('style.css') + '</style>\n' +
	'<script type="application/json" id="lm-report-data">' + data + '</script>\n' +
	'</head><body>\n<script>\n' + read('charts.js') + '</script>\n<script>\n' +
	read('report.js') + '</script>\n</body></html>\n';
fs.writeFileSync(process.argv[3], page);
