/*
 * avr-sim: runs a board's avr build (an ATmega2560 ELF) in simavr (libsimavr) with its three UARTs on PTYs
 * published at symlinks, exactly where the host target publishes them, so the same tools (the bridge, the
 * simulator's module emulators in rig/host-board.ts, a terminal) reach it the same way:
 *
 *   avr-sim --firmware ELF --link PATH [--o2-uart PATH] [--co2-uart PATH]
 *
 * USART0 is the host link (at --link), USART1 the O2 module (default PATH.o2), USART2 the CO2 module (PATH.co2).
 * Time is the simulated MCU's (16 MHz); the firmware sleeps between polls and simavr sleeps with it, so it runs
 * near real time. Bytes from a PTY are fed to the UART as its receive FIFO has room (simavr's XON/XOFF); bytes
 * the UART sends are written to the PTY (dropped when nobody reads, as a wire would). The options of gasboard-host
 * that an avr build has compiled in (--sn, --period-ms, --stale-ms, --cells, --flush-ms, --clock, --eeprom) are
 * accepted and ignored with a note, so launchers can treat both alike.
 *
 * This is host tooling, not firmware: it runs on the Linux machine, and libsimavr allocates as it likes.
 * Exit status: 0 on SIGTERM/SIGINT or end of stdin, 1 when a system call or the simulation fails, 2 for bad usage.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_io.h>
#include <sim_irq.h>

#define PROG "avr-sim"
#define PORTS 3
#define INBUF 4096

typedef struct {
    const char *what;
    char link[4096];
    char pty[64];
    int master;
    int linked;
    uint8_t in[INBUF];   /* bytes from the PTY waiting for room in the UART */
    size_t in_len;
    int xon;             /* the UART's receive FIFO has room */
    avr_irq_t *input;
    uint16_t ucsrb;      /* data-space address of the UART's UCSRnB: nothing is fed before RXEN is set */
} port_t;

static port_t ports[PORTS];
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int open_pty(port_t *p)
{
    struct termios t;
    const char *name;
    int fd;

    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0 || (name = ptsname(p->master)) == NULL ||
        strlen(name) >= sizeof p->pty) {
        fprintf(stderr, PROG ": cannot create a PTY: %s\n", strerror(errno));
        return -1;
    }
    strcpy(p->pty, name);
    fd = open(p->pty, O_RDWR | O_NOCTTY);
    if (fd < 0 || tcgetattr(fd, &t) != 0) {
        fprintf(stderr, PROG ": cannot open %s: %s\n", p->pty, strerror(errno));
        return -1;
    }
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
    close(fd);
    return 0;
}

static int make_link(port_t *p)
{
    struct stat st;

    if (lstat(p->link, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            fprintf(stderr, PROG ": %s %s: exists and is not a symlink; refusing to replace it\n", p->what, p->link);
            return 2;
        }
        unlink(p->link);
    }
    if (symlink(p->pty, p->link) != 0) {
        fprintf(stderr, PROG ": %s %s: cannot create the symlink: %s\n", p->what, p->link, strerror(errno));
        return 1;
    }
    p->linked = 1;
    return 0;
}

static void remove_links(void)
{
    int i;

    for (i = 0; i < PORTS; i++) {
        char target[64];
        ssize_t n;
        if (!ports[i].linked) {
            continue;
        }
        ports[i].linked = 0;
        n = readlink(ports[i].link, target, sizeof target - 1u);
        if (n > 0) {
            target[n] = '\0';
            if (strcmp(target, ports[i].pty) == 0) {
                unlink(ports[i].link);
            }
        }
    }
}

/* A byte the UART sent: to its PTY (dropped when the PTY cannot take it). */
static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
    port_t *p = (port_t *)param;
    uint8_t b = (uint8_t)value;
    ssize_t ignored;

    (void)irq;
    ignored = write(p->master, &b, 1);
    (void)ignored;
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    ((port_t *)param)->xon = 1;
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    ((port_t *)param)->xon = 0;
}

static int take_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0) {
        return 0;
    }
    if (argv[*i][n] == '=') {
        *value = &argv[*i][n + 1u];
        return 1;
    }
    if (argv[*i][n] != '\0') {
        return 0;
    }
    *value = (*i + 1 < argc) ? argv[++*i] : NULL;
    return 1;
}

static int usage(const char *what)
{
    if (what != NULL) {
        fprintf(stderr, PROG ": %s\n", what);
    }
    fprintf(stderr, "usage: " PROG " --firmware ELF --link PATH [--o2-uart PATH] [--co2-uart PATH]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const char *const ignored[] = { "--sn", "--period-ms", "--stale-ms", "--cells", "--flush-ms", "--clock",
                                           "--eeprom", NULL };
    const char *firmware = NULL;
    const char *paths[PORTS] = { NULL, NULL, NULL };
    static const char *const whats[PORTS] = { "--link", "--o2-uart", "--co2-uart" };
    static const char *const suffix[PORTS] = { "", ".o2", ".co2" };
    elf_firmware_t fw;
    avr_t *avr;
    struct sigaction sa;
    int i;
    int rc = 0;

    for (i = 1; i < argc; i++) {
        const char *value = NULL;
        const char *const *ig;
        int known = 0;
        if (strcmp(argv[i], "--help") == 0) {
            usage(NULL);
            return 0;
        }
        if (take_option(argc, argv, &i, "--firmware", &value)) {
            firmware = value;
            known = 1;
        }
        for (rc = 0; !known && rc < PORTS; rc++) {
            if (take_option(argc, argv, &i, whats[rc], &value)) {
                paths[rc] = value;
                known = 1;
            }
        }
        for (ig = ignored; !known && *ig != NULL; ig++) {
            if (take_option(argc, argv, &i, *ig, &value)) {
                fprintf(stderr, PROG ": %s %s ignored: the avr build has it compiled in (config.h)\n", *ig,
                        value != NULL ? value : "");
                known = 1;
            }
        }
        if (!known || value == NULL || value[0] == '\0') {
            return usage(known ? "an option needs a value" : "unknown argument");
        }
    }
    if (firmware == NULL || paths[0] == NULL) {
        return usage("--firmware and --link are required");
    }

    memset(&fw, 0, sizeof fw);
    if (elf_read_firmware(firmware, &fw) != 0) {
        fprintf(stderr, PROG ": cannot read %s\n", firmware);
        return 1;
    }
    avr = avr_make_mcu_by_name("atmega2560");
    if (avr == NULL || avr_init(avr) != 0) {
        fprintf(stderr, PROG ": simavr has no atmega2560\n");
        return 1;
    }
    avr->frequency = 16000000;
    avr_load_firmware(avr, &fw);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (i = 0; i < PORTS; i++) {
        port_t *p = &ports[i];
        uint32_t flags = 0;
        char name = (char)('0' + i);
        p->what = whats[i];
        p->xon = 1;
        p->ucsrb = (uint16_t)(0xC1u + 8u * (unsigned)i); /* UCSR0B, UCSR1B, UCSR2B on the ATmega2560 */
        if (paths[i] != NULL) {
            snprintf(p->link, sizeof p->link, "%s", paths[i]);
        } else {
            snprintf(p->link, sizeof p->link, "%s%s", paths[0], suffix[i]);
        }
        if (open_pty(p) != 0) {
            return 1;
        }
        avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS(name), &flags);
        flags &= ~(uint32_t)AVR_UART_FLAG_STDIO;
        avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(name), &flags);
        p->input = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_INPUT);
        avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_OUTPUT), on_uart_output, p);
        avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_OUT_XON), on_xon, p);
        avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_OUT_XOFF), on_xoff, p);
    }
    atexit(remove_links);
    for (i = 0; i < PORTS; i++) {
        rc = make_link(&ports[i]);
        if (rc != 0) {
            return rc;
        }
    }
    fprintf(stderr, PROG ": o2-uart=%s (%s) co2-uart=%s (%s)\n", ports[1].link, ports[1].pty, ports[2].link,
            ports[2].pty);
    fprintf(stderr, PROG ": sn=compiled-in pty=%s link=%s\n", ports[0].pty, ports[0].link);

    while (!stop_requested) {
        avr_cycle_count_t start = avr->cycle;
        int state = cpu_Running;
        /* About a millisecond of the MCU, then the PTYs. */
        while (avr->cycle - start < 16000u && state != cpu_Done && state != cpu_Crashed) {
            state = avr_run(avr);
        }
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(stderr, PROG ": the firmware %s\n", state == cpu_Done ? "stopped" : "crashed");
            return 1;
        }
        for (i = 0; i < PORTS; i++) {
            port_t *p = &ports[i];
            ssize_t n;
            size_t fed = 0;
            if (p->in_len < INBUF) {
                n = read(p->master, p->in + p->in_len, INBUF - p->in_len);
                if (n > 0) {
                    p->in_len += (size_t)n;
                }
            }
            /* Into the UART while its FIFO has room (XOFF stops us, the next XON lets us on), and only once the
             * firmware has enabled its receiver: bytes before that would be lost, as on a board still booting,
             * but a PTY client cannot know when the board has booted. */
            while (p->in_len > 0u && p->xon && (avr->data[p->ucsrb] & (1u << 4)) && fed < 32u) {
                avr_raise_irq(p->input, p->in[0]);
                memmove(p->in, p->in + 1, p->in_len - 1u);
                p->in_len--;
                fed++;
            }
        }
        {
            struct pollfd pf = { STDIN_FILENO, POLLIN, 0 };
            if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLIN))) {
                char sink[256];
                if (read(STDIN_FILENO, sink, sizeof sink) == 0) {
                    break; /* the plant (the launcher) has gone */
                }
            }
        }
    }
    avr_terminate(avr);
    return 0;
}
