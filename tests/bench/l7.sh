#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/l7.sh - placeholder: this measurement is not written yet; it records a labelled skip.
set -u
. "$(dirname "$0")/lib.sh"
skipped l7 "not implemented yet (see issue 8 / the bench brief)"
