/*
 * common/hal.h for the host target: a Linux process whose UARTs (host link, O2 module, CO2 module) are
 * pseudo-terminals and whose plant link (clock, outputs) is the simulator on stdin/stdout. Also the setup and the wait of targets/host/hal_host.h.
 *
 * How the PTY behaves (Linux, checked by experiment) and what follows from it:
 *   - Data for the slave is NOT thrown away when the slave is closed: what the last host left unread, and
 *     whatever is written to the master while nobody has the slave open, waits in the slave's input queue and
 *     the next process to open the slave reads it. tcflush() on the master does not clear it. So while the
 *     host is away we write nothing (hal_host_write drops and the board counts), and when the host goes away
 *     we open the slave ourselves for a moment and flush its input queue (TCIFLUSH on the slave does clear
 *     it), so that readings a host did not read, or that were written just before the hang-up was noticed,
 *     are not served, stale, to the next opener.
 *   - After the last process closes the slave, poll() on the master reports POLLHUP at once, every time, and
 *     read() fails with EIO. Polling the master then would spin, so while the host is away the master is left
 *     out of poll() and looked at every HAL_HOST_AWAY_PROBE_MS instead. (Before the slave was ever opened,
 *     some kernels report POLLHUP and some do not; we open it once at start to set raw mode, which puts every
 *     kernel in the "hung up" state from the beginning.)
 *   - Termios settings belong to the PTY pair, not to an open of the slave: a client that changes them (echo
 *     on, say) leaves them changed for the next client. We set raw mode again each time the host goes away.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#define _DEFAULT_SOURCE   /* cfmakeraw */

#include "targets/host/hal_host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/hal.h"
#include "targets/host/eeprom_file.h"
#include "targets/host/plant_io.h"
#include "targets/host/pty_port.h"

#define HAL_HOST_AWAY_PROBE_MS 20

#define HOST_PORTS 3 /* 0: host link, 1: UART1 (O2 module), 2: UART2 (CO2 module) */

/* One UART as a PTY published at a symlink (targets/host/pty_port.h). */
typedef pty_port_t host_port_t;

static struct {
    const char *prog;
    host_port_t port[HOST_PORTS];

    struct timespec start;
    int plant_clock;
    plant_clock_t clock;     /* the plant's time from T lines on stdin (targets/host/plant_io.h) */
    plant_outputs_t outputs; /* the outputs, as O and M lines on stdout */

    int sig_pipe[2]; /* the self-pipe: a signal handler writes a byte, poll() wakes up */

    char eeprom_path[4096];
    int eeprom_fd;
    hal_reset_cause_t reset_cause;
    uint16_t wdt_timeout_ms;
#if defined(CB_HOST_TEST_HOOKS)
    uint32_t wdt_override_ms;  /* test build only: the watchdog's period, 0 for the board's */
    const char *stall_type;    /* test build only: a host line of this type stalls the main loop */
    size_t stall_matched;      /* bytes of "TYPE " matched at the start of the current line */
#endif
} host = { .port = { { .master = -1 }, { .master = -1 }, { .master = -1 } }, .sig_pipe = { -1, -1 }, .eeprom_fd = -1 };

/* The EEPROM file's layout is targets/host/eeprom_file.h's (shared with the simavr harness). */
#if HAL_HOST_EEPROM_SIZE != EEPROM_FILE_BYTES || HAL_HOST_CELLS_MAX != PLANT_IO_CELLS_MAX || \
    HAL_HOST_OUTPUTS_MAX != PLANT_IO_OUTPUTS_MAX
#error "targets/host/hal_host.h limits must equal eeprom_file.h's and plant_io.h's"
#endif
/* The same, for the signal handler (it may use only async-signal-safe calls: pwrite and _exit are). */
static volatile int host_wdt_fd = -1;

static volatile sig_atomic_t host_stop_requested;

/* ---- common/hal.h ---------------------------------------------------------------------------------------- */

void hal_log(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", host.prog != NULL ? host.prog : "hal_host");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

uint32_t hal_millis(void)
{
    struct timespec now;
    int64_t ns;

    if (host.plant_clock) {
        return host.clock.ms; /* the plant's virtual time, from its T lines */
    }
    /* Milliseconds since start, wrapping at 32 bits like a board's. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (int64_t)(now.tv_sec - host.start.tv_sec) * 1000000000 + (int64_t)(now.tv_nsec - host.start.tv_nsec);
    return (uint32_t)(uint64_t)(ns / 1000000);
}

static size_t port_read(host_port_t *p, uint8_t *buf, size_t cap)
{
    ssize_t n;

    if (p->away || p->master < 0 || cap == 0u) {
        return 0;
    }
    n = read(p->master, buf, cap);
    /* EAGAIN: nothing there. EIO: the slave has just been closed; hal_host_wait notices the hang-up. */
    return n > 0 ? (size_t)n : 0u;
}

static size_t port_write(host_port_t *p, const uint8_t *buf, size_t len)
{
    ssize_t n;

    if (p->away || p->master < 0) {
        return 0; /* nobody listening: writing now would only serve stale bytes to the next opener */
    }
    n = write(p->master, buf, len); /* the master is non-blocking: a full link takes part or nothing */
    return n > 0 ? (size_t)n : 0u;
}

#if defined(CB_HOST_TEST_HOOKS)
/* Test build only (--test-stall-on TYPE): the main loop stops coming round here, as if the board hung on the
 * command, until the watchdog fires (it exits the process) or SIGTERM/SIGINT ends the wait. */
static void stall_forever(void)
{
    hal_log("test: stalling the main loop on a %s line (--test-stall-on); the watchdog fires in %lu ms",
            host.stall_type, (unsigned long)host.wdt_timeout_ms);
    while (!host_stop_requested) {
        pause();
    }
}

/* Looks for a line starting "TYPE " or "TYPE*" (TYPE = stall_type) in bytes read from the host. */
static void check_stall(const uint8_t *buf, size_t n)
{
    size_t len = strlen(host.stall_type);
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (host.stall_matched == len && (b == ' ' || b == '*')) {
            stall_forever();
            host.stall_matched = (size_t)-1;
            return;
        }
        if (b == '\n') {
            host.stall_matched = 0;
        } else if (host.stall_matched < len && b == (uint8_t)host.stall_type[host.stall_matched]) {
            host.stall_matched++;
        } else {
            host.stall_matched = (size_t)-1; /* not at the start of a line, or another type: wait for the next */
        }
    }
}

#endif

size_t hal_host_read(uint8_t *buf, size_t cap)
{
    size_t n = port_read(&host.port[0], buf, cap);

#if defined(CB_HOST_TEST_HOOKS)
    if (host.stall_type != NULL && n > 0u) {
        check_stall(buf, n);
    }
#endif
    return n;
}

size_t hal_host_write(const uint8_t *buf, size_t len)
{
    return port_write(&host.port[0], buf, len);
}

size_t hal_uart_read(hal_uart_t uart, uint8_t *buf, size_t cap)
{
    if ((unsigned)uart >= (unsigned)HAL_UART_COUNT) {
        return 0;
    }
    return port_read(&host.port[1u + (unsigned)uart], buf, cap);
}

size_t hal_uart_write(hal_uart_t uart, const uint8_t *buf, size_t len)
{
    if ((unsigned)uart >= (unsigned)HAL_UART_COUNT) {
        return 0;
    }
    return port_write(&host.port[1u + (unsigned)uart], buf, len);
}

int hal_host_present(void)
{
    return !host.port[0].away;
}

/* The PTY holds several KiB for the slave (the line discipline's 4 KiB and the tty buffers behind it), far
 * more than a frame; a host that stops reading makes write() fail, and the board counts the drop. */
#define HOST_LINK_ROOM 4096u

size_t hal_host_room(void)
{
    return (host.port[0].away || host.port[0].master < 0) ? 0u : HOST_LINK_ROOM;
}

/* ---- EEPROM (a file) ------------------------------------------------------------------------------------- */

uint16_t hal_eeprom_size(void)
{
    return (uint16_t)HAL_HOST_EEPROM_SIZE;
}

int hal_eeprom_read(uint16_t addr, void *buf, uint16_t len)
{
    if ((uint32_t)addr + len > HAL_HOST_EEPROM_SIZE || host.eeprom_fd < 0) {
        return -1;
    }
    if (pread(host.eeprom_fd, buf, len, (off_t)addr) != (ssize_t)len) {
        return -1;
    }
    return 0;
}

int hal_eeprom_write(uint16_t addr, const void *buf, uint16_t len)
{
    if ((uint32_t)addr + len > HAL_HOST_EEPROM_SIZE || host.eeprom_fd < 0) {
        return -1;
    }
    /* No fsync: the page cache survives the process being killed, which is the power cut a bench makes. */
    if (pwrite(host.eeprom_fd, buf, len, (off_t)addr) != (ssize_t)len) {
        return -1;
    }
    return 0;
}

/* Opens (creating, or growing to full size with erased bytes) the EEPROM file and reads the reset cause. */
static int open_eeprom(void)
{
    host.eeprom_fd = eeprom_file_open(host.eeprom_path, hal_log);
    if (host.eeprom_fd < 0) {
        return -1;
    }
    host.reset_cause = eeprom_file_take_watchdog_cause(host.eeprom_fd, host.eeprom_path, hal_log)
                           ? HAL_RESET_WATCHDOG
                           : HAL_RESET_POWER;
    host_wdt_fd = host.eeprom_fd;
    return 0;
}

const char *hal_host_eeprom_path(void)
{
    return host.eeprom_path;
}

/* ---- watchdog ---------------------------------------------------------------------------------------------
 * A real-time interval timer: when the main loop does not kick it in time, SIGALRM marks the reset cause in
 * the EEPROM file and the process exits with HAL_HOST_EXIT_WATCHDOG, the host target's "reset". Whoever
 * started it may start it again, and the board then counts a watchdog reset (ST's wdt). */

static void on_watchdog(int sig)
{
    static const uint8_t mark = EEPROM_FILE_CAUSE_WATCHDOG;
    ssize_t ignored;

    (void)sig;
    if (host_wdt_fd >= 0) {
        ignored = pwrite(host_wdt_fd, &mark, 1, EEPROM_FILE_CAUSE_OFFSET);
        (void)ignored;
    }
    _exit(HAL_HOST_EXIT_WATCHDOG);
}

hal_reset_cause_t hal_reset_cause(void)
{
    return host.reset_cause;
}

static void arm_watchdog(void)
{
    struct itimerval t;

    memset(&t, 0, sizeof t);
    t.it_value.tv_sec = host.wdt_timeout_ms / 1000u;
    t.it_value.tv_usec = (suseconds_t)(host.wdt_timeout_ms % 1000u) * 1000;
    setitimer(ITIMER_REAL, &t, NULL);
}

void hal_watchdog_start(uint16_t timeout_ms)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watchdog;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
#if defined(CB_HOST_TEST_HOOKS)
    if (host.wdt_override_ms != 0u) {
        timeout_ms = (uint16_t)(host.wdt_override_ms > 0xFFFFu ? 0xFFFFu : host.wdt_override_ms);
    }
#endif
    host.wdt_timeout_ms = timeout_ms == 0u ? 1u : timeout_ms;
    arm_watchdog();
}

void hal_watchdog_kick(void)
{
    if (host.wdt_timeout_ms != 0u) {
        arm_watchdog();
    }
}

void hal_output_set(uint8_t index, uint8_t on)
{
    plant_outputs_set(&host.outputs, index, on ? 1u : 0u);
}

/* ---- start and stop --------------------------------------------------------------------------------------- */

/* pty_port_make_link's results are this target's exit statuses. */
#if PTY_PORT_OK != HAL_HOST_EXIT_OK || PTY_PORT_FAILED != HAL_HOST_EXIT_FAILED || PTY_PORT_REFUSED != HAL_HOST_EXIT_USAGE
#error "targets/host/pty_port.h results must equal the HAL_HOST_EXIT_ statuses"
#endif

void hal_host_stop(void)
{
    if (host.clock.bad_lines > 0u) {
        hal_log("plant link: %lu of %lu lines were malformed", (unsigned long)host.clock.bad_lines,
                (unsigned long)host.clock.lines);
        host.clock.bad_lines = 0; /* said once, even if stop runs again at exit */
    }
    if (host.wdt_timeout_ms != 0u) {
        struct itimerval off;
        memset(&off, 0, sizeof off);
        setitimer(ITIMER_REAL, &off, NULL); /* an orderly stop is not a hang */
        host.wdt_timeout_ms = 0;
    }
    {
        int i;
        for (i = 0; i < HOST_PORTS; i++) {
            pty_port_remove_link(&host.port[i]);
            if (host.port[i].master >= 0) {
                close(host.port[i].master);
                host.port[i].master = -1;
            }
        }
    }
}

static void at_exit_cleanup(void)
{
    hal_host_stop();
}

/* ---- signals --------------------------------------------------------------------------------------------- */

static void on_stop_signal(int sig)
{
    int saved = errno;
    ssize_t ignored;

    (void)sig;
    host_stop_requested = 1;
    ignored = write(host.sig_pipe[1], "s", 1); /* non-blocking: if the pipe is full, a wake-up is pending */
    (void)ignored;
    errno = saved;
}

static int install_signals(void)
{
    struct sigaction sa;
    int i;

    if (pipe(host.sig_pipe) != 0) {
        hal_log("cannot create the signal pipe: %s", strerror(errno));
        return -1;
    }
    for (i = 0; i < 2; i++) {
        int flags = fcntl(host.sig_pipe[i], F_GETFL);
        if (flags < 0 || fcntl(host.sig_pipe[i], F_SETFL, flags | O_NONBLOCK) != 0 ||
            fcntl(host.sig_pipe[i], F_SETFD, FD_CLOEXEC) != 0) {
            hal_log("cannot set up the signal pipe: %s", strerror(errno));
            return -1;
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR, though the self-pipe would wake it anyway */
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        hal_log("cannot install signal handlers: %s", strerror(errno));
        return -1;
    }
    /* A plant that closed its end of stdout must not kill us before we see EOF on stdin and clean up. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

/* ---- start ----------------------------------------------------------------------------------------------- */

/* dst = a, or base + suffix when a is NULL. 0 when it does not fit. */
static int path_or_default(char *dst, size_t cap, const char *a, const char *base, const char *suffix)
{
    if (a != NULL) {
        if (strlen(a) >= cap) {
            return 0;
        }
        strcpy(dst, a);
        return 1;
    }
    if (strlen(base) + strlen(suffix) >= cap) {
        return 0;
    }
    strcpy(dst, base);
    strcat(dst, suffix);
    return 1;
}

int hal_host_start(const hal_host_options_t *opt)
{
    static const char *const whats[HOST_PORTS] = { "--link", "--o2-uart", "--co2-uart" };
    static const char *const suffixes[HOST_PORTS] = { "", ".o2", ".co2" };
    int rc;
    int i;

    clock_gettime(CLOCK_MONOTONIC, &host.start);
    host.prog = opt->prog;
    host.plant_clock = opt->plant_clock;
#if defined(CB_HOST_TEST_HOOKS)
    host.wdt_override_ms = opt->watchdog_ms;
    host.stall_type = opt->stall_type;
    host.stall_matched = 0;
#endif
    if (plant_outputs_init(&host.outputs, opt->kind_names, opt->kinds, opt->per_cell, opt->sample_kind, opt->cells)
        != 0) {
        hal_log("internal error: %u cells of %u outputs, at most %u outputs", (unsigned)opt->cells,
                (unsigned)opt->per_cell, (unsigned)HAL_HOST_OUTPUTS_MAX);
        return HAL_HOST_EXIT_FAILED;
    }
    plant_clock_init(&host.clock, hal_log);

    for (i = 0; i < HOST_PORTS; i++) {
        const char *given = i == 0 ? opt->link_path : opt->uart_paths[i - 1];
        host.port[i].what = whats[i];
        if (!path_or_default(host.port[i].link_path, sizeof host.port[i].link_path, given, opt->link_path,
                             suffixes[i])) {
            hal_log("%s: path too long", whats[i]);
            return HAL_HOST_EXIT_USAGE;
        }
    }
    if (!path_or_default(host.eeprom_path, sizeof host.eeprom_path, opt->eeprom_path, opt->link_path, ".eeprom")) {
        hal_log("--eeprom: path too long");
        return HAL_HOST_EXIT_USAGE;
    }
    if (install_signals() != 0) {
        return HAL_HOST_EXIT_FAILED;
    }
    if (open_eeprom() != 0) {
        return HAL_HOST_EXIT_FAILED;
    }
    for (i = 0; i < HOST_PORTS; i++) {
        if (pty_port_open(&host.port[i], hal_log) != 0) {
            return HAL_HOST_EXIT_FAILED;
        }
    }
    atexit(at_exit_cleanup);
    for (i = 0; i < HOST_PORTS; i++) {
        rc = pty_port_make_link(&host.port[i], hal_log);
        if (rc != HAL_HOST_EXIT_OK) {
            return rc;
        }
    }
    plant_outputs_announce(&host.outputs); /* the plant learns the outputs' state at start */
    return HAL_HOST_EXIT_OK;
}

const char *hal_host_pty_name(void)
{
    return host.port[0].pty_name;
}

const char *hal_host_port_pty(unsigned port)
{
    return port < HOST_PORTS ? host.port[port].pty_name : "";
}

const char *hal_host_port_link(unsigned port)
{
    return port < HOST_PORTS ? host.port[port].link_path : "";
}

/* ---- the wait ---------------------------------------------------------------------------------------------- */

static void port_went_away(host_port_t *p)
{
    uint8_t sink[256];
    int i;

    p->away = 1;
    /* Bytes a departing client wrote just before closing: nobody is left to answer. */
    for (i = 0; i < 64 && read(p->master, sink, sizeof sink) > 0; i++) {
    }
    if (pty_port_reset_slave(p) != 0) {
        hal_log("cannot reset %s after its client left: %s", p->pty_name, strerror(errno));
    }
}

/* Looks whether someone has opened the slave since its client went away. */
static void probe_port(host_port_t *p)
{
    struct pollfd pf;

    pf.fd = p->master;
    pf.events = POLLIN;
    pf.revents = 0;
    if (poll(&pf, 1, 0) >= 0 && !(pf.revents & (POLLHUP | POLLERR))) {
        p->away = 0;
    }
}

hal_host_event_t hal_host_wait(uint32_t timeout_ms)
{
    struct pollfd pf[2 + HOST_PORTS];
    int timeout = timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms;
    int any_away = 0;
    int n;
    int i;

    for (i = 0; i < HOST_PORTS; i++) {
        any_away |= host.port[i].away;
    }
    if (any_away && timeout > HAL_HOST_AWAY_PROBE_MS) {
        timeout = HAL_HOST_AWAY_PROBE_MS;
    }
    pf[0].fd = host.sig_pipe[0];
    pf[1].fd = STDIN_FILENO;
    for (i = 0; i < HOST_PORTS; i++) {
        /* A negative fd is skipped by poll(): no endless POLLHUP from a port whose client is away. */
        pf[2 + i].fd = host.port[i].away ? -1 : host.port[i].master;
    }
    for (i = 0; i < 2 + HOST_PORTS; i++) {
        pf[i].events = POLLIN;
        pf[i].revents = 0;
    }

    if (host_stop_requested) {
        return HAL_HOST_SIGNAL;
    }
    n = poll(pf, 2 + HOST_PORTS, timeout);
    if (host_stop_requested) {
        return HAL_HOST_SIGNAL;
    }
    if (n < 0) {
        if (errno == EINTR) {
            return HAL_HOST_RUN;
        }
        hal_log("poll: %s", strerror(errno));
        return HAL_HOST_ERROR;
    }
    if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!plant_clock_read_stdin(&host.clock)) {
            return HAL_HOST_EOF;
        }
    }
    if (pf[1].revents & POLLNVAL) {
        hal_log("plant link: stdin is not open; taking it as the end");
        return HAL_HOST_EOF;
    }
    for (i = 0; i < HOST_PORTS; i++) {
        host_port_t *p = &host.port[i];
        if (!p->away && (pf[2 + i].revents & (POLLHUP | POLLERR))) {
            port_went_away(p);
        } else if (p->away) {
            probe_port(p);
        }
    }
    return HAL_HOST_RUN;
}
