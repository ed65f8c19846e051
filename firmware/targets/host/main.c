/*
 * gasboard-host: the gasboard as a Linux process. The board logic is gasboard/gasboard.c, unchanged; this file
 * reads the command line, starts the host HAL and runs the main loop.
 *
 *   gasboard-host --link PATH [--o2-uart PATH] [--co2-uart PATH] [--eeprom PATH] [--sn SERIAL] [--period-ms N]
 *                 [--stale-ms N] [--cells N] [--flush-ms N] [--clock mono|plant]
 *
 * Exit status: 0 on end of stdin (the plant has gone) or SIGTERM/SIGINT; 1 when a system call fails;
 * 2 for a bad command line or a --link path that exists and is not a symlink; 3 when the watchdog fired.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <string.h>

#include "common/frame.h" /* frame_parse_u32: numbers on the command line follow the protocol's rule */
#include "common/hal.h"
#include "common/provision.h"
#include "gasboard/config.h"
#include "gasboard/gasboard.h"
#include "targets/host/cli_option.h"
#include "targets/host/hal_host.h"

/* One main for every board: CB_BOARD_PALLETUNIT (set by the Makefile) builds palletunit-host instead. */
#if defined(CB_BOARD_PALLETUNIT)
#include "palletunit/config.h"
#include "palletunit/palletunit.h"
#define PROG "palletunit-host"
#define BOARD_WHAT "palletunit"
#define BOARD_FW PU_FW_VERSION
#define BOARD_SN PU_SN_DEFAULT
static const char *const kind_names[PU_OUT_COUNT] = { "n2", "air", "fan" };
#define BOARD_KINDS PU_OUT_COUNT
#define BOARD_PER_CELL PU_OUT_COUNT
#define BOARD_SAMPLE_KIND 0xFFu
#define board_core(b) (&(b)->core)
#else
#define PROG "gasboard-host"
#define BOARD_WHAT "gasboard"
#define BOARD_FW GB_FW_VERSION
#define BOARD_SN GB_SN_DEFAULT
static const char *const kind_names[GB_OUT_PER_CELL] = GB_OUT_NAMES;
#define BOARD_KINDS GB_OUT_ACTUATORS
#define BOARD_PER_CELL GB_OUT_PER_CELL
#define BOARD_SAMPLE_KIND GB_OUT_SAMPLE
#define board_core(b) (b)
#endif
#include "targets/board_select.h" /* board_t and board_init/poll/idle_ms for the chosen board */

/* The longest the main loop waits for I/O: well inside the watchdog's period (GB_WATCHDOG_MS). */
#define HOST_LOOP_MAX_WAIT_MS 1000u

#if defined(CB_HOST_TEST_HOOKS)
/* The test build (PROG-test, made by the Makefile's for-tests): the watchdog's period and a stall on demand. */
#define BOARD_TEST_OPTIONS                                                                                         \
    "Test build only (this binary; the production build has neither option):\n"                                  \
    "  --watchdog-ms N       the watchdog's period (default: the board's, 4000)\n"                                \
    "  --test-stall-on TYPE  a host line of frame type TYPE stalls the main loop, so the watchdog fires\n"        \
    "\n"
#else
#define BOARD_TEST_OPTIONS ""
#endif

static void usage(FILE *to)
{
    fprintf(to,
            "usage: " PROG " --link PATH [--o2-uart PATH] [--co2-uart PATH] [--eeprom PATH] [--sn SERIAL]\n"
            "       [--period-ms N] [--stale-ms N] [--cells N] [--flush-ms N] [--clock mono|plant]\n"
            "\n"
            "Runs a cellbench " BOARD_WHAT " (firmware " BOARD_FW ", protocol %u) as a process. Its UARTs are new\n"
            "pseudo-terminals published as symlinks: the host link at --link, the O2 module's UART1 and the CO2\n"
            "module's UART2 (Modbus-RTU) at --o2-uart and --co2-uart (firmware/MODULES.md). The plant link is\n"
            "stdin/stdout (firmware/PROTOCOL.md, \"plant link\").\n"
            "\n"
            "  --link PATH      symlink to create for the host link's PTY (required); a stale symlink is\n"
            "                   replaced, anything else at PATH is refused\n"
            "  --o2-uart PATH   symlink for UART1, the O2 module (default: the --link path + \".o2\")\n"
            "  --co2-uart PATH  symlink for UART2, the CO2 module (default: the --link path + \".co2\")\n"
            "  --eeprom PATH    the board's EEPROM, a file created if missing (default: --link path + \".eeprom\")\n"
            "  --sn SERIAL      serial number in ID, [A-Za-z0-9-], 1 to 16 characters (default " BOARD_SN ")\n"
            "  --period-ms N    measuring period in ms, >= 1 (default %u)\n"
            "  --stale-ms N     sensor values older than N ms are sent as NA (default %u)\n"
            "  --cells N        cells on the sampling manifold, 1 to %u (default %u)\n"
            "  --flush-ms N     manifold flush time after switching cells, used with --cells > 1 (default %u)\n"
            "  --clock mono     board time is this process's monotonic clock (default)\n"
            "  --clock plant    board time is the plant's: the last \"T ms\" line on stdin (0 before the first)\n"
            "  --help           this text\n"
            "\n"
            "%s"
            "stdin:  T 123456                         the plant's time in ms (read with --clock plant)\n"
            "stdout: O n2=0 air=0 scrub=0             at start and whenever an actuator changes (a digit per cell)\n"
            "        M sample=1                       at start and whenever the manifold switches cells\n"
            "exit:   0 end of stdin or SIGTERM/SIGINT, 1 system error, 2 bad usage, 3 watchdog reset\n",
            (unsigned)GB_PROTO_VERSION, (unsigned)GB_PERIOD_MS_DEFAULT, (unsigned)GB_STALE_MS_DEFAULT,
            (unsigned)GB_CELLS_MAX, (unsigned)GB_CELLS_DEFAULT, (unsigned)GB_FLUSH_MS_DEFAULT, BOARD_TEST_OPTIONS);
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

/* The serial number goes into ID: [A-Za-z0-9-] (PROTOCOL.md), 1 to GB_SN_MAX (16) characters, so that the
 * longest ID still fits a line (config.h): the provisioning record's rule (common/provision.h). */
#if GB_SN_MAX != PROVISION_SN_MAX
#error "gasboard/config.h GB_SN_MAX and common/provision.h PROVISION_SN_MAX must agree"
#endif

int main(int argc, char **argv)
{
    gasboard_config_t cfg = board_config_default();
    hal_host_options_t opt;
    board_t board;
    hal_host_event_t ev = HAL_HOST_RUN;
    const char *link_path = NULL;
    const char *eeprom_path = NULL;
    const char *o2_path = NULL;
    const char *co2_path = NULL;
    int plant_clock = 0;
#if defined(CB_HOST_TEST_HOOKS)
    uint32_t watchdog_ms = 0;
    const char *stall_type = NULL;
#endif
    int i;
    int rc;

    for (i = 1; i < argc; i++) {
        const char *value = NULL;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return HAL_HOST_EXIT_OK;
        } else if (cli_take_option(argc, argv, &i, "--link", &value)) {
            if (value == NULL || value[0] == '\0') {
                return bad_usage("--link needs a path", NULL);
            }
            link_path = value;
        } else if (cli_take_option(argc, argv, &i, "--o2-uart", &value)) {
            if (value == NULL || value[0] == '\0') {
                return bad_usage("--o2-uart needs a path", NULL);
            }
            o2_path = value;
        } else if (cli_take_option(argc, argv, &i, "--co2-uart", &value)) {
            if (value == NULL || value[0] == '\0') {
                return bad_usage("--co2-uart needs a path", NULL);
            }
            co2_path = value;
        } else if (cli_take_option(argc, argv, &i, "--cells", &value)) {
            uint32_t n;
            if (!frame_parse_u32(value, &n) || n < 1u || n > GB_CELLS_MAX) {
                return bad_usage("--cells must be a whole number from 1 to 8", value);
            }
            cfg.cells = (uint8_t)n;
        } else if (cli_take_option(argc, argv, &i, "--flush-ms", &value)) {
            if (!frame_parse_u32(value, &cfg.flush_ms)) {
                return bad_usage("--flush-ms must be a whole number of milliseconds", value);
            }
        } else if (cli_take_option(argc, argv, &i, "--clock", &value)) {
            if (!cli_parse_clock(value, &plant_clock)) {
                return bad_usage("--clock must be mono or plant", value);
            }
        } else if (cli_take_option(argc, argv, &i, "--eeprom", &value)) {
            if (value == NULL || value[0] == '\0') {
                return bad_usage("--eeprom needs a path", NULL);
            }
            eeprom_path = value;
        } else if (cli_take_option(argc, argv, &i, "--sn", &value)) {
            if (value == NULL || !provision_sn_valid(value)) {
                return bad_usage("--sn must be 1 to 16 characters of [A-Za-z0-9-]", value);
            }
            cfg.sn = value;
        } else if (cli_take_option(argc, argv, &i, "--period-ms", &value)) {
            if (!frame_parse_u32(value, &cfg.period_ms) || cfg.period_ms == 0u) {
                return bad_usage("--period-ms must be a whole number of milliseconds, at least 1", value);
            }
        } else if (cli_take_option(argc, argv, &i, "--stale-ms", &value)) {
            if (!frame_parse_u32(value, &cfg.stale_ms)) {
                return bad_usage("--stale-ms must be a whole number of milliseconds", value);
            }
#if defined(CB_HOST_TEST_HOOKS)
        } else if (cli_take_option(argc, argv, &i, "--watchdog-ms", &value)) {
            if (!frame_parse_u32(value, &watchdog_ms) || watchdog_ms == 0u || watchdog_ms > 60000u) {
                return bad_usage("--watchdog-ms must be a whole number of milliseconds from 1 to 60000", value);
            }
        } else if (cli_take_option(argc, argv, &i, "--test-stall-on", &value)) {
            size_t k;
            if (value == NULL || value[0] == '\0' || strlen(value) > 8u) {
                return bad_usage("--test-stall-on must be a frame type, 1 to 8 letters A-Z", value);
            }
            for (k = 0; value[k] != '\0'; k++) {
                if (value[k] < 'A' || value[k] > 'Z') {
                    return bad_usage("--test-stall-on must be a frame type, 1 to 8 letters A-Z", value);
                }
            }
            stall_type = value;
#endif
        } else {
            return bad_usage("unknown argument", argv[i]);
        }
    }
    if (link_path == NULL) {
        return bad_usage("--link PATH is required", NULL);
    }

    opt.prog = PROG;
    opt.link_path = link_path;
    opt.uart_paths[0] = o2_path;
    opt.uart_paths[1] = co2_path;
    opt.eeprom_path = eeprom_path;
    opt.plant_clock = plant_clock;
#if defined(CB_HOST_TEST_HOOKS)
    opt.watchdog_ms = watchdog_ms;
    opt.stall_type = stall_type;
#endif
    opt.kind_names = kind_names;
    opt.kinds = (uint8_t)BOARD_KINDS;
    opt.per_cell = (uint8_t)BOARD_PER_CELL;
    opt.sample_kind = (uint8_t)BOARD_SAMPLE_KIND;
#if defined(CB_BOARD_PALLETUNIT)
    cfg.cells = 1; /* no manifold */
#endif
    opt.cells = cfg.cells;
    rc = hal_host_start(&opt);
    if (rc != HAL_HOST_EXIT_OK) {
        return rc;
    }
    hal_log("o2-uart=%s (%s) co2-uart=%s (%s)", hal_host_port_link(1), hal_host_port_pty(1), hal_host_port_link(2),
            hal_host_port_pty(2));
    hal_log("sn=%s pty=%s link=%s", cfg.sn, hal_host_pty_name(), link_path);

    board_init(&board, &cfg);
    hal_log("boot=%lu reset=%s eeprom=%s", (unsigned long)board_core(&board)->engine.boot,
            hal_reset_cause() == HAL_RESET_WATCHDOG ? "watchdog" : "power", hal_host_eeprom_path());
    while (ev == HAL_HOST_RUN) {
        uint32_t idle;
        board_poll(&board);
        /* The board's idle has no cap; the watchdog (GB_WATCHDOG_MS) wants the loop round at least this often. */
        idle = board_idle_ms(&board);
        ev = hal_host_wait(idle < HOST_LOOP_MAX_WAIT_MS ? idle : HOST_LOOP_MAX_WAIT_MS);
    }

    hal_host_stop();
    if (ev == HAL_HOST_ERROR) {
        return HAL_HOST_EXIT_FAILED;
    }
    return HAL_HOST_EXIT_OK;
}
