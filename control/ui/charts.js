/* SPDX-License-Identifier: BSD-3-Clause */
/* Small SVG charts of our own, for the live UI and the report. */
"use strict";
var LmCharts = {};
