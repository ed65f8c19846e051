/*
 * common/hal.h for the host target: a Linux process whose host link is a pseudo-terminal and whose plant is
 * the simulator on stdin/stdout. Also the setup and the wait of targets/host/hal_host.h.
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
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/frame.h"
#include "common/hal.h"
#include "targets/host/plant_link.h"

#define HAL_HOST_AWAY_PROBE_MS 20
/* Malformed plant lines logged one by one before going quiet (all are counted; the total is logged at exit). */
#define HAL_HOST_PLANT_LOG_MAX 5u

static struct {
    const char *prog;
    const char *link_path;
    char pty_name[64];
    int master;
    int link_made;
    int away; /* no process has the slave open: hal_host_present() is 0 */

    struct timespec start;

    const char *const *output_names;
    uint8_t output_count;
    uint8_t outputs[HAL_HOST_OUTPUTS_MAX];

    hal_sample_t sensors[HAL_SENSOR_COUNT];
    frame_lineasm_t plant_rx; /* the frame line assembler does for the plant link too: bounded, never stuck */
    uint32_t plant_bad_lines;
    uint32_t plant_lines;

    int sig_pipe[2]; /* the self-pipe: a signal handler writes a byte, poll() wakes up */
} host = { .master = -1, .sig_pipe = { -1, -1 } };

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

    /* Milliseconds since start, wrapping at 32 bits like a board's. A later issue makes this the plant's
     * virtual time; everything above the HAL already takes its time from here. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (int64_t)(now.tv_sec - host.start.tv_sec) * 1000000000 + (int64_t)(now.tv_nsec - host.start.tv_nsec);
    return (uint32_t)(uint64_t)(ns / 1000000);
}

size_t hal_host_read(uint8_t *buf, size_t cap)
{
    ssize_t n;

    if (host.away || host.master < 0 || cap == 0u) {
        return 0;
    }
    n = read(host.master, buf, cap);
    /* EAGAIN: nothing there. EIO: the slave has just been closed; hal_host_wait notices the hang-up. */
    return n > 0 ? (size_t)n : 0u;
}

size_t hal_host_write(const uint8_t *buf, size_t len)
{
    ssize_t n;

    if (host.away || host.master < 0) {
        return 0; /* nobody listening: writing now would only serve stale lines to the next opener */
    }
    n = write(host.master, buf, len); /* the master is non-blocking: a full link takes part or nothing */
    return n > 0 ? (size_t)n : 0u;
}

int hal_host_present(void)
{
    return !host.away;
}

static void write_o_line(void)
{
    char line[8u + HAL_HOST_OUTPUTS_MAX * 24u];

    if (plant_format_o_line(line, sizeof line, host.output_names, host.outputs, host.output_count) == 0u) {
        hal_log("internal error: O line does not fit");
        return;
    }
    /* The plant reads whole lines: flush each one at once, stdout being a pipe (fully buffered) in use. */
    fputs(line, stdout);
    fflush(stdout);
}

void hal_output_set(uint8_t index, uint8_t on)
{
    uint8_t level = on ? 1u : 0u;

    if (index >= host.output_count || host.outputs[index] == level) {
        return;
    }
    host.outputs[index] = level;
    write_o_line();
}

void hal_sensor_get(hal_sensor_t sensor, hal_sample_t *out)
{
    if ((unsigned)sensor >= (unsigned)HAL_SENSOR_COUNT) {
        out->valid = 0;
        out->value = 0;
        out->at_ms = 0;
        return;
    }
    *out = host.sensors[sensor];
}

/* ---- PTY and symlink ------------------------------------------------------------------------------------- */

/* Raw mode on the slave: the kernel's line discipline must neither echo what we write back to us, nor turn
 * '\n' into "\r\n", nor wait for a line, nor treat ^C as a signal. The speed is only for clients that read
 * it back; a PTY has none. */
static int set_raw(int fd)
{
    struct termios t;

    if (tcgetattr(fd, &t) != 0) {
        return -1;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    return tcsetattr(fd, TCSANOW, &t);
}

/* Opens the slave briefly: resets raw mode and throws away what we wrote that no host has read. */
static int reset_slave(void)
{
    int fd = open(host.pty_name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    int rc = 0;

    if (fd < 0) {
        return -1;
    }
    if (set_raw(fd) != 0 || tcflush(fd, TCIFLUSH) != 0) {
        rc = -1;
    }
    close(fd);
    return rc;
}

static int open_pty(void)
{
    const char *name;
    int flags;

    host.master = posix_openpt(O_RDWR | O_NOCTTY);
    if (host.master < 0) {
        hal_log("cannot create a PTY: posix_openpt: %s", strerror(errno));
        return -1;
    }
    if (grantpt(host.master) != 0 || unlockpt(host.master) != 0 || (name = ptsname(host.master)) == NULL) {
        hal_log("cannot set up the PTY: %s", strerror(errno));
        return -1;
    }
    if (strlen(name) >= sizeof host.pty_name) {
        hal_log("PTY name too long: %s", name);
        return -1;
    }
    strcpy(host.pty_name, name);
    flags = fcntl(host.master, F_GETFL);
    if (flags < 0 || fcntl(host.master, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(host.master, F_SETFD, FD_CLOEXEC) != 0) {
        hal_log("cannot make the PTY non-blocking: %s", strerror(errno));
        return -1;
    }
    if (reset_slave() != 0) {
        hal_log("cannot set %s to raw mode: %s", host.pty_name, strerror(errno));
        return -1;
    }
    /* reset_slave opened and closed the slave: nobody has it open now. */
    host.away = 1;
    return 0;
}

/* Publishes the slave at link_path. Returns an exit status. */
static int make_link(void)
{
    struct stat st;

    if (lstat(host.link_path, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            hal_log("--link %s: exists and is not a symlink; refusing to replace it", host.link_path);
            return HAL_HOST_EXIT_USAGE;
        }
        /* A symlink left by an earlier run (or another board): ours now. */
        if (unlink(host.link_path) != 0) {
            hal_log("--link %s: cannot remove the old symlink: %s", host.link_path, strerror(errno));
            return HAL_HOST_EXIT_FAILED;
        }
    } else if (errno != ENOENT) {
        hal_log("--link %s: %s", host.link_path, strerror(errno));
        return HAL_HOST_EXIT_FAILED;
    }
    if (symlink(host.pty_name, host.link_path) != 0) {
        hal_log("--link %s: cannot create the symlink: %s", host.link_path, strerror(errno));
        return HAL_HOST_EXIT_FAILED;
    }
    host.link_made = 1;
    return HAL_HOST_EXIT_OK;
}

/* Removes the symlink only while it still points at our PTY: another process may have taken the path over. */
static void remove_link(void)
{
    char target[sizeof host.pty_name];
    ssize_t n;

    if (!host.link_made) {
        return;
    }
    host.link_made = 0;
    n = readlink(host.link_path, target, sizeof target - 1u);
    if (n < 0) {
        return;
    }
    target[n] = '\0';
    if (strcmp(target, host.pty_name) == 0) {
        unlink(host.link_path);
    }
}

void hal_host_stop(void)
{
    if (host.plant_bad_lines > 0u) {
        hal_log("plant link: %lu of %lu lines were malformed", (unsigned long)host.plant_bad_lines,
                (unsigned long)host.plant_lines);
        host.plant_bad_lines = 0; /* said once, even if stop runs again at exit */
    }
    remove_link();
    if (host.master >= 0) {
        close(host.master);
        host.master = -1;
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

int hal_host_start(const hal_host_options_t *opt)
{
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &host.start);
    host.prog = opt->prog;
    host.link_path = opt->link_path;
    host.output_names = opt->output_names;
    host.output_count = opt->output_count;
    if (host.output_count > HAL_HOST_OUTPUTS_MAX) {
        hal_log("internal error: %u outputs, at most %u", (unsigned)host.output_count,
                (unsigned)HAL_HOST_OUTPUTS_MAX);
        return HAL_HOST_EXIT_FAILED;
    }
    memset(host.outputs, 0, sizeof host.outputs);
    memset(host.sensors, 0, sizeof host.sensors);
    frame_lineasm_reset(&host.plant_rx);

    if (install_signals() != 0) {
        return HAL_HOST_EXIT_FAILED;
    }
    if (open_pty() != 0) {
        return HAL_HOST_EXIT_FAILED;
    }
    rc = make_link();
    if (rc != HAL_HOST_EXIT_OK) {
        return rc;
    }
    atexit(at_exit_cleanup);
    write_o_line(); /* the plant learns the outputs' state at start */
    return HAL_HOST_EXIT_OK;
}

const char *hal_host_pty_name(void)
{
    return host.pty_name;
}

/* ---- the wait ---------------------------------------------------------------------------------------------- */

static void handle_plant_line(const char *line, size_t len)
{
    plant_values_t v;
    uint32_t now;
    uint8_t k;

    host.plant_lines++;
    if (!plant_parse_s_line(line, len, &v)) {
        host.plant_bad_lines++;
        if (host.plant_bad_lines <= HAL_HOST_PLANT_LOG_MAX) {
            hal_log("plant link: ignoring a malformed line (%lu so far%s)", (unsigned long)host.plant_bad_lines,
                    host.plant_bad_lines == HAL_HOST_PLANT_LOG_MAX ? "; not logging more" : "");
        }
        return;
    }
    now = hal_millis();
    for (k = 0; k < HAL_SENSOR_COUNT; k++) {
        host.sensors[k].valid = v.valid[k];
        host.sensors[k].value = v.value[k];
        host.sensors[k].at_ms = now;
    }
}

/* Reads what stdin has (poll said it would not block). Returns 0 at end of input. */
static int read_plant(void)
{
    uint8_t buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    ssize_t i;

    if (n == 0) {
        return 0;
    }
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            return 1;
        }
        hal_log("plant link: reading stdin: %s; taking it as the end", strerror(errno));
        return 0;
    }
    for (i = 0; i < n; i++) {
        frame_line_event_t ev = frame_lineasm_push(&host.plant_rx, buf[i]);
        if (ev == FRAME_LINE_READY) {
            size_t len;
            const char *line = frame_lineasm_line(&host.plant_rx, &len);
            handle_plant_line(line, len);
        } else if (ev == FRAME_LINE_TOOLONG) {
            host.plant_lines++;
            host.plant_bad_lines++;
        }
    }
    return 1;
}

static void host_went_away(void)
{
    uint8_t sink[256];
    int i;

    host.away = 1;
    /* Bytes a departing host wrote just before closing: nobody is left to answer. */
    for (i = 0; i < 64 && read(host.master, sink, sizeof sink) > 0; i++) {
    }
    if (reset_slave() != 0) {
        hal_log("cannot reset %s after the host left: %s", host.pty_name, strerror(errno));
    }
}

/* Looks whether someone has opened the slave since the host went away. */
static void probe_host(void)
{
    struct pollfd p;

    p.fd = host.master;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 0) >= 0 && !(p.revents & (POLLHUP | POLLERR))) {
        host.away = 0;
    }
}

hal_host_event_t hal_host_wait(uint32_t timeout_ms)
{
    struct pollfd p[3];
    int timeout = timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms;
    int n;

    if (host.away && timeout > HAL_HOST_AWAY_PROBE_MS) {
        timeout = HAL_HOST_AWAY_PROBE_MS;
    }
    p[0].fd = host.sig_pipe[0];
    p[1].fd = STDIN_FILENO;
    p[2].fd = host.away ? -1 : host.master; /* a negative fd is skipped by poll(): no endless POLLHUP */
    p[0].events = p[1].events = p[2].events = POLLIN;
    p[0].revents = p[1].revents = p[2].revents = 0;

    if (host_stop_requested) {
        return HAL_HOST_SIGNAL;
    }
    n = poll(p, 3, timeout);
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
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!read_plant()) {
            return HAL_HOST_EOF;
        }
    }
    if (p[1].revents & POLLNVAL) {
        hal_log("plant link: stdin is not open; taking it as the end");
        return HAL_HOST_EOF;
    }
    if (!host.away && (p[2].revents & (POLLHUP | POLLERR))) {
        host_went_away();
    } else if (host.away) {
        probe_host();
    }
    return HAL_HOST_RUN;
}
