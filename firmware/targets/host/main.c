/*
 * gasboard-host: the gasboard as a Linux process. The board logic is gasboard/gasboard.c, unchanged; this file
 * reads the command line, starts the host HAL and runs the main loop.
 *
 *   gasboard-host --link PATH [--sn SERIAL] [--period-ms N] [--stale-ms N]
 *
 * Exit status: 0 on end of stdin (the plant has gone) or SIGTERM/SIGINT; 1 when a system call fails;
 * 2 for a bad command line or a --link path that exists and is not a symlink.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <string.h>

#include "common/hal.h"
#include "gasboard/config.h"
#include "gasboard/gasboard.h"
#include "targets/host/hal_host.h"

#define PROG "gasboard-host"

static const char *const output_names[GB_OUT_COUNT] = GB_OUT_NAMES;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: " PROG " --link PATH [--sn SERIAL] [--period-ms N] [--stale-ms N]\n"
            "\n"
            "Runs a cellbench gasboard (firmware " GB_FW_VERSION ", protocol %u) as a process. The board's host link\n"
            "is a new pseudo-terminal, published as a symlink at PATH; the plant link is stdin/stdout\n"
            "(firmware/PROTOCOL.md, \"plant link\").\n"
            "\n"
            "  --link PATH      symlink to create for the PTY (required); a stale symlink is replaced,\n"
            "                   anything else at PATH is refused\n"
            "  --sn SERIAL      serial number in ID, [A-Za-z0-9-], 1 to 32 characters (default " GB_SN_DEFAULT ")\n"
            "  --period-ms N    streaming period in ms, >= 1 (default %u)\n"
            "  --stale-ms N     sensor values older than N ms are sent as NA (default %u)\n"
            "  --help           this text\n"
            "\n"
            "stdin:  S o2=20.90 co2=0.040 temp=1.50   (NA for a missing value); end of stdin exits 0\n"
            "stdout: O n2=0 air=0 scrub=0             at start and whenever an output changes\n",
            (unsigned)GB_PROTO_VERSION, (unsigned)GB_PERIOD_MS_DEFAULT, (unsigned)GB_STALE_MS_DEFAULT);
}

static int bad_usage(const char *what, const char *value)
{
    if (value != NULL) {
        fprintf(stderr, PROG ": %s: \"%s\"\n", what, value);
    } else {
        fprintf(stderr, PROG ": %s\n", what);
    }
    fprintf(stderr, "run " PROG " --help for usage\n");
    return HAL_HOST_EXIT_USAGE;
}

/* A decimal number of milliseconds, 0 .. 4294967295, digits only. */
static int parse_ms(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;

    if (s == NULL || s[0] == '\0') {
        return 0;
    }
    for (i = 0; s[i] != '\0'; i++) {
        uint32_t d;
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        d = (uint32_t)(s[i] - '0');
        if (v > (0xFFFFFFFFu - d) / 10u) {
            return 0;
        }
        v = v * 10u + d;
    }
    *out = v;
    return 1;
}

/* The serial number goes into ID: [A-Za-z0-9-] (PROTOCOL.md), 1 to 32 characters as the TS messages
 * (firmware/protocol/messages.ts) read it. */
static int valid_sn(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (i >= 32u ||
            !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
    }
    return i > 0u;
}

/*
 * Takes "--name VALUE" or "--name=VALUE" at argv[*i]. Returns 1 and sets *value when argv[*i] is that option
 * (advancing *i past a separate value), 0 when it is another argument; *value is NULL when the value is missing.
 */
static int take_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];

    if (strncmp(arg, name, n) != 0) {
        return 0;
    }
    if (arg[n] == '=') {
        *value = &arg[n + 1u];
        return 1;
    }
    if (arg[n] != '\0') {
        return 0;
    }
    *value = (*i + 1 < argc) ? argv[++*i] : NULL;
    return 1;
}

int main(int argc, char **argv)
{
    gasboard_config_t cfg = gasboard_config_default();
    hal_host_options_t opt;
    gasboard_t board;
    hal_host_event_t ev = HAL_HOST_RUN;
    const char *link_path = NULL;
    int i;
    int rc;

    for (i = 1; i < argc; i++) {
        const char *value = NULL;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return HAL_HOST_EXIT_OK;
        } else if (take_option(argc, argv, &i, "--link", &value)) {
            if (value == NULL || value[0] == '\0') {
                return bad_usage("--link needs a path", NULL);
            }
            link_path = value;
        } else if (take_option(argc, argv, &i, "--sn", &value)) {
            if (value == NULL || !valid_sn(value)) {
                return bad_usage("--sn must be 1 to 32 characters of [A-Za-z0-9-]", value);
            }
            cfg.sn = value;
        } else if (take_option(argc, argv, &i, "--period-ms", &value)) {
            if (!parse_ms(value, &cfg.period_ms) || cfg.period_ms == 0u) {
                return bad_usage("--period-ms must be a whole number of milliseconds, at least 1", value);
            }
        } else if (take_option(argc, argv, &i, "--stale-ms", &value)) {
            if (!parse_ms(value, &cfg.stale_ms)) {
                return bad_usage("--stale-ms must be a whole number of milliseconds", value);
            }
        } else {
            return bad_usage("unknown argument", argv[i]);
        }
    }
    if (link_path == NULL) {
        return bad_usage("--link PATH is required", NULL);
    }

    opt.prog = PROG;
    opt.link_path = link_path;
    opt.output_names = output_names;
    opt.output_count = (uint8_t)GB_OUT_COUNT;
    rc = hal_host_start(&opt);
    if (rc != HAL_HOST_EXIT_OK) {
        return rc;
    }
    hal_log("sn=%s pty=%s link=%s", cfg.sn, hal_host_pty_name(), link_path);

    gasboard_init(&board, &cfg);
    while (ev == HAL_HOST_RUN) {
        gasboard_poll(&board);
        ev = hal_host_wait(gasboard_idle_ms(&board));
    }

    hal_host_stop();
    if (ev == HAL_HOST_ERROR) {
        return HAL_HOST_EXIT_FAILED;
    }
    return HAL_HOST_EXIT_OK;
}
