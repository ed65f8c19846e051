/* The host tools' command lines (gasboard-host, palletunit-host, avr-sim). Host tooling, not firmware. */
#ifndef TARGETS_HOST_CLI_OPTION_H
#define TARGETS_HOST_CLI_OPTION_H

/*
 * Takes "--name VALUE" or "--name=VALUE" at argv[*i]. Returns 1 and sets *value when argv[*i] is that option
 * (advancing *i past a separate value), 0 when it is another argument; *value is NULL when the value is missing.
 */
int cli_take_option(int argc, char **argv, int *i, const char *name, const char **value);

/* --clock's value: "mono" (0, the process's monotonic clock) or "plant" (1, the plant's T lines). Returns 1
 * and sets *plant_clock, or 0 for anything else (NULL included). */
int cli_parse_clock(const char *value, int *plant_clock);

#endif
