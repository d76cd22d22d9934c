/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTML report page, built from its data (docs/ui.md). */
"use strict";
