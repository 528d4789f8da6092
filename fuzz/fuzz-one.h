// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * What one fuzz input does, shared by the fuzz targets (fuzz-config.c,
 * fuzz-results.c) and by the regression test that replays every saved
 * input (tests/test-fuzz-regressions.c), so both run the same code.
 *
 * Each function feeds the input to a real entry point and checks the
 * properties every answer must have; a violated property aborts (that is
 * what the fuzzer reports as a crash), a clean refusal does not.
 */
#ifndef SIM_FUZZ_ONE_H
#define SIM_FUZZ_ONE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Most --set strings a config input carries. */
#define SIM_FUZZ_MAX_SETS 8

/*
 * sim_fuzz_config_one - treat data as a config: the bytes up to the first
 * NUL are the JSON text; each further NUL-separated piece (at most
 * SIM_FUZZ_MAX_SETS) is one `--set PATH=VALUE` string.  Parses with
 * sim_json_parse_text() and validates with sim_config_from_json(); runs no
 * simulation.
 * Checks: exactly one of (config, error); an error is one non-empty line in
 * the SIM_CONFIG_ERROR domain; an accepted config's effective config is
 * accepted again and is a fixed point (validating it gives it back).
 * Return: TRUE if the config was accepted, FALSE with *err if refused.
 */
gboolean sim_fuzz_config_one(const uint8_t *data, size_t size, GError **err);

/*
 * sim_fuzz_results_one - treat data as a results file and read it with
 * sim_results_parse().
 * Checks: exactly one of (document, error); an error is one non-empty line
 * in the SIM_CONFIG_ERROR domain; an accepted document has the documented
 * shape, and printing and re-reading it is accepted and gives the same text.
 * Return: TRUE if accepted, FALSE with *err if refused.
 */
gboolean sim_fuzz_results_one(const uint8_t *data, size_t size, GError **err);

#endif
