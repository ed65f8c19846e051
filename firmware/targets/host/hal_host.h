/*
 * The host target's side of the HAL: what main.c needs to set up and drive a board as a Linux process.
 * The board logic never includes this file; it sees only common/hal.h.
 *
 * Each UART is a pseudo-terminal whose slave side (/dev/pts/N) is published as a symlink at a path of the
 * caller's choosing: the host link (a bridge opens it like a serial port) and the two sensor-module UARTs (the
 * simulator's module emulators open them). The clock (optionally) and the output states go over the plant link
 * on stdin and stdout (targets/host/plant_link.h).
 */
#ifndef CELLBENCH_HAL_HOST_H
#define CELLBENCH_HAL_HOST_H

#include <stdint.h>

typedef struct {
    const char *prog;                /* prefix of every log line, e.g. "gasboard-host" */
    const char *link_path;           /* where to publish the host link's PTY slave as a symlink; required */
    const char *uart_paths[2];       /* the same for UART1 (O2 module) and UART2 (CO2 module); NULL: link_path
                                      * + ".o2" and + ".co2" */
    const char *eeprom_path;         /* the EEPROM's file; NULL: link_path + ".eeprom" */
    int plant_clock;                 /* 1: hal_millis() is the plant's time from T lines; 0: CLOCK_MONOTONIC */
    const char *const *kind_names;   /* output kinds shown on the O line (the per-cell actuators) */
    uint8_t kinds;                   /* how many of them */
    uint8_t per_cell;                /* outputs per cell: index = (cell - 1) * per_cell + kind */
    uint8_t sample_kind;             /* the kind that is the manifold's sample valve (M lines); 0xFF: none */
    uint8_t cells;                   /* 1 .. HAL_HOST_CELLS_MAX */
#if defined(CB_HOST_TEST_HOOKS)
    /* Test build only (gasboard-host-test, built with CB_HOST_TEST_HOOKS; the production HAL has neither).
     * watchdog_ms: when not 0, the watchdog's period instead of the one the board asks for, so a test sees it
     * fire soon. stall_type: when not NULL, a line from the host that starts with this frame type (e.g. "HANG")
     * makes the main loop stop coming round (inside hal_host_read, before the board sees the line), as a
     * firmware bug would; the watchdog then fires. */
    uint32_t watchdog_ms;
    const char *stall_type;
#endif
} hal_host_options_t;

#define HAL_HOST_CELLS_MAX   8u
#define HAL_HOST_OUTPUTS_MAX 32u

/* Exit statuses the host target uses. */
#define HAL_HOST_EXIT_OK      0
#define HAL_HOST_EXIT_FAILED  1 /* a system call failed */
#define HAL_HOST_EXIT_USAGE   2 /* bad command line, or a link path that must not be replaced */
#define HAL_HOST_EXIT_WATCHDOG 3 /* the watchdog fired: the board "reset"; the next start reports it */

/* The EEPROM file: HAL_HOST_EEPROM_SIZE bytes of EEPROM (erased = 0xFF), then one byte of reset cause
 * ('W' after a watchdog reset, 0xFF otherwise), which the next start reads and clears. Created if missing. */
#define HAL_HOST_EEPROM_SIZE 4096u

/*
 * Starts the clock, creates the PTYs (raw mode), publishes their symlinks (replacing a stale symlink, refusing
 * anything else), opens the EEPROM file, installs the SIGTERM/SIGINT handlers and writes the first O and M
 * lines. Returns HAL_HOST_EXIT_OK,
 * or the status to exit with after a message on stderr naming what failed.
 */
int hal_host_start(const hal_host_options_t *opt);

/* The EEPROM file's path (valid after a successful start). */
const char *hal_host_eeprom_path(void);

/* The PTY slave's device path, e.g. "/dev/pts/3" (valid after a successful start): port 0 is the host link,
 * 1 and 2 the sensor UARTs. */
const char *hal_host_pty_name(void);
const char *hal_host_port_pty(unsigned port);
const char *hal_host_port_link(unsigned port);

typedef enum {
    HAL_HOST_RUN = 0, /* go on: call the board's poll() */
    HAL_HOST_EOF,     /* the plant closed stdin: exit 0 */
    HAL_HOST_SIGNAL,  /* SIGTERM or SIGINT: exit 0 */
    HAL_HOST_ERROR    /* waiting itself failed: exit 1 */
} hal_host_event_t;

/*
 * Waits until a UART has bytes, the plant sends a line, a signal arrives, or timeout_ms passes (wall time), and
 * handles what it can itself: T lines move the plant clock; a UART's hang-up and return are noticed
 * (hal_host_present for the host link). While a UART's other side is away it wakes every ~20 ms to look, so it
 * never spins.
 */
hal_host_event_t hal_host_wait(uint32_t timeout_ms);

/* Removes the symlink (if it is still ours) and closes the PTY. Safe to call more than once; also runs at exit. */
void hal_host_stop(void);

#endif
