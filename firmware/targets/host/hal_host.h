/*
 * The host target's side of the HAL: what main.c needs to set up and drive a board as a Linux process.
 * The board logic never includes this file; it sees only common/hal.h.
 *
 * The host link is a pseudo-terminal. Its slave side (/dev/pts/N) is what a bridge opens like a serial port;
 * it is published as a symlink at a path of the caller's choosing. Sensor values come from, and output states
 * go to, the plant link on stdin and stdout (targets/host/plant_link.h).
 */
#ifndef CELLBENCH_HAL_HOST_H
#define CELLBENCH_HAL_HOST_H

#include <stdint.h>

typedef struct {
    const char *prog;                /* prefix of every log line, e.g. "gasboard-host" */
    const char *link_path;           /* where to publish the PTY slave as a symlink; required */
    const char *const *output_names; /* names of the outputs on the O line, by hal_output_set index */
    uint8_t output_count;            /* at most HAL_HOST_OUTPUTS_MAX */
} hal_host_options_t;

#define HAL_HOST_OUTPUTS_MAX 8u

/* Exit statuses the host target uses. */
#define HAL_HOST_EXIT_OK      0
#define HAL_HOST_EXIT_FAILED  1 /* a system call failed */
#define HAL_HOST_EXIT_USAGE   2 /* bad command line, or a link path that must not be replaced */

/*
 * Starts the clock, creates the PTY (raw mode), publishes the symlink (replacing a stale symlink, refusing
 * anything else), installs the SIGTERM/SIGINT handlers and writes the first O line. Returns HAL_HOST_EXIT_OK,
 * or the status to exit with after a message on stderr naming what failed.
 */
int hal_host_start(const hal_host_options_t *opt);

/* The PTY slave's device path, e.g. "/dev/pts/3" (valid after a successful start). */
const char *hal_host_pty_name(void);

typedef enum {
    HAL_HOST_RUN = 0, /* go on: call the board's poll() */
    HAL_HOST_EOF,     /* the plant closed stdin: exit 0 */
    HAL_HOST_SIGNAL,  /* SIGTERM or SIGINT: exit 0 */
    HAL_HOST_ERROR    /* waiting itself failed: exit 1 */
} hal_host_event_t;

/*
 * Waits until the host link has bytes, the plant sends a line, a signal arrives, or timeout_ms passes, and
 * handles what it can itself: plant lines update the sensor values; the host link's hang-up and return are
 * noticed (hal_host_present). While no host is present it wakes every ~20 ms to look, so it never spins.
 */
hal_host_event_t hal_host_wait(uint32_t timeout_ms);

/* Removes the symlink (if it is still ours) and closes the PTY. Safe to call more than once; also runs at exit. */
void hal_host_stop(void);

#endif
