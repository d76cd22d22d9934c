/* SPDX-License-Identifier: BSD-3-Clause */
/* The live UI (docs/ui.md). */
"use strict";
