// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The results document's schema number: written by sim_results()
 * (report.c) as "sim.schema", checked by the results reader (cli).
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

/* The schema this sim writes and reads ("sim.schema" in results). */
#define SIM_RESULTS_SCHEMA 1

#endif
