// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Fuzz target: the config loader (JSON text + --set overrides -> validated
 * config; no simulation runs).
 * Built by -Dfuzz=libfuzzer or -Dfuzz=afl; see fuzz/README.md.
 */
#include "fuzz-one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *err = NULL;
	(void)sim_fuzz_config_one(data, size, &err);
	g_clear_error(&err);
	return 0;
}
