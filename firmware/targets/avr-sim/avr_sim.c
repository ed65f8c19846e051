/*
 * avr-sim: runs a board's avr build (an ATmega2560 ELF) in simavr (libsimavr) with the host target's outside
 * world, so that the same launchers (rig/host-board.ts, the bridge, the simulator's module emulators, a
 * terminal) use it exactly like gasboard-host:
 *
 *   avr-sim --firmware ELF --link PATH [--o2-uart PATH] [--co2-uart PATH] [--eeprom PATH]
 *           [--board gasboard|palletunit] [--sn SERIAL] [--period-ms N] [--stale-ms N] [--cells N] [--flush-ms N]
 *           [--clock mono|plant]
 *
 * UARTs: USART0 is the host link (at --link), USART1 the O2 module (default PATH.o2), USART2 the CO2 module
 * (PATH.co2), each a PTY published at a symlink. Bytes from a PTY go into the UART as its receive FIFO has room
 * (read from simavr's FIFO) and once the firmware has enabled the receiver; bytes the UART sends go to the PTY, and
 * are dropped while nobody has the PTY open (as on a wire; and as the host target does, what a departing client
 * left unread is flushed, so the next one does not get stale bytes).
 *
 * The plant link, as the host target's (PROTOCOL.md, "plant link"): stdout gets "O n2=0 air=0 scrub=0" (a digit
 * per cell) at start and whenever an actuator output pin changes, and "M sample=K" whenever the manifold's
 * sample valve pins change (gasboard); stdin takes "T ms" lines (the plant's time). The output pins are the avr
 * build's (targets/avr/hal_avr.c): output index i is bit i%8 of PORTA, PORTC, PORTL, PORTK for i/8 = 0..3.
 *
 * EEPROM: the MCU's 4 KiB are kept in a file (default PATH.eeprom; the host target's format, 4096 bytes then a
 * reset-cause byte), loaded at start and written back as soon as the firmware changes a byte, so the boot
 * counter and calibration survive a restart, and a SIGKILL (a power cut) too.
 *
 * Serial number and settings: --sn, --period-ms, --stale-ms, --cells, --flush-ms are written into the EEPROM's
 * provisioning record (common/provision.h), which the avr build reads at power-up; options not given are left
 * at the board's default (0 in the record). Without any of them the EEPROM's record is left as it is.
 *
 * Time: --clock mono (default): the simulated MCU runs at 16 MHz in step with real time (simavr sleeps while
 * the MCU sleeps). --clock plant: simulated time follows the plant's: while the MCU sleeps, it is run only up
 * to the last T line's time (16,000 cycles a ms from power-up), and waits there for the next T; it runs on past
 * it only while it is awake, or while a UART is moving bytes (a byte takes its time on the wire), so board time
 * is the plant's time, ahead of it by at most the few ms that serial I/O took.
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <avr_eeprom.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_io.h>
#include <sim_interrupts.h>
#include <sim_irq.h>

#include "common/frame.h"
#include "common/provision.h"
#include "gasboard/config.h"
#include "palletunit/config.h"
#include "targets/host/cli_option.h"
#include "targets/host/eeprom_file.h"
#include "targets/host/plant_io.h"
#include "targets/host/pty_port.h"

#define PROG "avr-sim"
#define PORTS 3
#define INBUF 4096
/* Bytes the UART sent that the PTY has not taken yet. Over half full, the MCU is paused until the reader catches
 * up: a PTY holds only about 4 KiB, and with the plant clock the MCU sends far faster than a wire would. */
#define OUTBUF 16384
#define F_CPU_HZ 16000000u
#define CYCLES_PER_MS (F_CPU_HZ / 1000u)
/* After a byte went into or out of a UART, the MCU keeps running this long past the plant's time (plant
 * clock): two bytes at 9600 baud, so that an answer being received or sent is not cut off. */
#define IO_SLACK_CYCLES 40000u
/* While a PTY's client is away, its master reports hang-up continuously: it is looked at this often instead. */
#define AWAY_PROBE_MS 20
#define EEPROM_SIZE EEPROM_FILE_BYTES /* the host target's file format (targets/host/eeprom_file.h) */

typedef struct {
    pty_port_t pty;      /* the PTY at its symlink (targets/host/pty_port.h); while pty.away (nobody has the
                          * slave open) what the UART sends is dropped */
    uint8_t in[INBUF];   /* bytes from the PTY waiting for room in the UART */
    size_t in_len;
    uint8_t out[OUTBUF]; /* bytes from the UART waiting for room in the PTY */
    size_t out_len;
    avr_uart_t *uart;    /* simavr's UART: its receive FIFO says whether it takes another byte */
    avr_irq_t *input;
    uint16_t ucsrb;      /* data-space address of the UART's UCSRnB: nothing is fed before RXEN is set */
} port_t;

static port_t ports[PORTS];
static volatile sig_atomic_t stop_requested;
static avr_t *avr;
static avr_cycle_count_t busy_until; /* plant clock: run at least to here (serial bytes in flight) */

/* The board's outputs as the O and M lines name them (targets/host/plant_io.h, as the host target's), and the
 * output ports' values last looked at. */
static plant_outputs_t out;
static uint8_t out_port_value[4];

/* ATmega2560 data-space addresses of PORTA, PORTC, PORTL, PORTK: outputs 0-7, 8-15, 16-23, 24-31. */
static const uint16_t out_port_addr[4] = { 0x22u, 0x28u, 0x10Bu, 0x108u };

static struct {
    char path[4096];
    int fd;
    uint8_t shadow[EEPROM_SIZE]; /* what the file holds */
    uint8_t *mcu;                /* the simulated MCU's EEPROM (simavr's array) */
} ee = { .fd = -1 };

/* simavr's messages go to stderr: stdout is the plant link. */
static void log_to_stderr(avr_t *a, const int level, const char *format, va_list ap)
{
    (void)a;
    if (level <= LOG_WARNING) {
        fputs(PROG ": simavr: ", stderr);
        vfprintf(stderr, format, ap);
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- PTYs ------------------------------------------------------------------------------------------------- */

/* Messages of the PTY code (targets/host/pty_port.c), as the rest of this program's. */
static void log_error(const char *fmt, ...)
{
    va_list ap;

    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void remove_links(void)
{
    int i;

    for (i = 0; i < PORTS; i++) {
        pty_port_remove_link(&ports[i].pty);
    }
}

/* Notices a client leaving (hang-up) or arriving. */
static void check_presence(port_t *p)
{
    struct pollfd pf = { p->pty.master, POLLIN, 0 };

    if (poll(&pf, 1, 0) < 0) {
        return;
    }
    if (pf.revents & (POLLHUP | POLLERR)) {
        if (!p->pty.away) {
            uint8_t sink[256];
            int i;
            p->pty.away = 1;
            for (i = 0; i < 64 && read(p->pty.master, sink, sizeof sink) > 0; i++) {
            }
            p->in_len = 0;
            pty_port_reset_slave(&p->pty);
        }
    } else {
        p->pty.away = 0;
    }
}

/* A byte the UART sent: to its PTY (dropped when nobody listens or the PTY cannot take it). */
static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
    port_t *p = (port_t *)param;
    uint8_t b = (uint8_t)value;

    (void)irq;
    busy_until = avr->cycle + IO_SLACK_CYCLES;
    if (p->pty.away || p->out_len >= OUTBUF) {
        return; /* nobody listens (as on a wire), or a reader that stopped reading long ago */
    }
    p->out[p->out_len++] = b;
}

/* Hands the PTY what it takes of the UART's bytes. */
static void flush_port(port_t *p)
{
    ssize_t n;

    if (p->out_len == 0u) {
        return;
    }
    if (p->pty.away) {
        p->out_len = 0;
        return;
    }
    n = write(p->pty.master, p->out, p->out_len);
    if (n > 0) {
        memmove(p->out, p->out + n, p->out_len - (size_t)n);
        p->out_len -= (size_t)n;
    }
}

/* The UART's receive FIFO has room for a byte. Read from the FIFO itself rather than from simavr's XON/XOFF
 * notifications: those are edge-like (XOFF is only reported on a change), and a missed XON would stop a port. */
static int uart_has_room(const port_t *p)
{
    unsigned next = ((unsigned)p->uart->input.write + 1u) & (uart_fifo_fifo_size - 1u);

    return (unsigned)p->uart->input.read != next;
}

/* Reads what a PTY has, feeds the UART what it takes now. Returns 1 when bytes are still on their way in. */
static int pump_port(port_t *p)
{
    ssize_t n;
    size_t fed = 0;

    if (!p->pty.away && p->in_len < INBUF) {
        n = read(p->pty.master, p->in + p->in_len, INBUF - p->in_len);
        if (n > 0) {
            p->in_len += (size_t)n;
        }
    }
    /* Into the UART while its FIFO has room, and only once the firmware has enabled its receiver: bytes before
     * that would be lost, as on a board still booting, but a PTY client cannot know when the board has booted. */
    while (p->in_len > 0u && uart_has_room(p) && (avr->data[p->ucsrb] & (1u << 4)) && fed < 32u) {
        avr_raise_irq(p->input, p->in[0]);
        memmove(p->in, p->in + 1, p->in_len - 1u);
        p->in_len--;
        fed++;
    }
    if (fed > 0u) {
        busy_until = avr->cycle + IO_SLACK_CYCLES;
    }
    return fed > 0u || p->in_len > 0u;
}

/* ---- outputs: the port pins, as O and M lines ----------------------------------------------------------------- */

/* Compares the output ports with what was last reported; an O or M line for what changed. */
static void check_outputs(void)
{
    unsigned i;

    for (i = 0; i < 4u; i++) {
        uint8_t v = avr->data[out_port_addr[i]];
        unsigned bit;
        if (v == out_port_value[i]) {
            continue;
        }
        out_port_value[i] = v;
        for (bit = 0; bit < 8u; bit++) {
            plant_outputs_set(&out, i * 8u + bit, (uint8_t)((v >> bit) & 1u));
        }
    }
}

/* ---- EEPROM file -------------------------------------------------------------------------------------------- */

static int open_eeprom(void)
{
    avr_io_t *io;

    /* The MCU's EEPROM array, straight from simavr's EEPROM module (libsimavr 1.6 answers its EEPROM ioctls
     * with -1 for this core, so they cannot be used). */
    for (io = avr->io_port; io != NULL; io = io->next) {
        if (io->kind != NULL && strcmp(io->kind, "eeprom") == 0) {
            avr_eeprom_t *e = (avr_eeprom_t *)io;
            if (e->eeprom != NULL && e->size == EEPROM_SIZE) {
                ee.mcu = e->eeprom;
            }
        }
    }
    if (ee.mcu == NULL) {
        fprintf(stderr, PROG ": simavr's atmega2560 has no EEPROM of %u bytes\n", EEPROM_SIZE);
        return -1;
    }
    /* New or short: the rest erased, as the host target makes it (the same code). */
    ee.fd = eeprom_file_open(ee.path, log_error);
    if (ee.fd < 0) {
        return -1;
    }
    if (pread(ee.fd, ee.shadow, EEPROM_SIZE, 0) != (ssize_t)EEPROM_SIZE) {
        fprintf(stderr, PROG ": --eeprom %s: %s\n", ee.path, strerror(errno));
        return -1;
    }
    memcpy(ee.mcu, ee.shadow, EEPROM_SIZE);
    return 0;
}

/* Writes the bytes the firmware changed since the last look to the file. */
static void sync_eeprom(void)
{
    const uint8_t *now = ee.mcu;
    unsigned i = 0;

    if (memcmp(now, ee.shadow, EEPROM_SIZE) == 0) {
        return;
    }
    while (i < EEPROM_SIZE) {
        unsigned j;
        if (now[i] == ee.shadow[i]) {
            i++;
            continue;
        }
        for (j = i; j < EEPROM_SIZE && now[j] != ee.shadow[j]; j++) {
        }
        if (pwrite(ee.fd, &now[i], j - i, (off_t)i) == (ssize_t)(j - i)) {
            memcpy(&ee.shadow[i], &now[i], j - i);
        } else {
            fprintf(stderr, PROG ": --eeprom %s: write failed: %s\n", ee.path, strerror(errno));
        }
        i = j;
    }
}

/* Puts the provisioning record into the simulated EEPROM (synced to the file with the firmware's writes). */
static int provision(const provision_t *p)
{
    if (!provision_encode(p, &ee.mcu[PROVISION_ADDR])) {
        return -1;
    }
    return 0;
}

/* ---- plant clock ---------------------------------------------------------------------------------------------- */

/* ATmega2560 data-space address of TCCR0B: the firmware starts its 1 kHz tick (Timer0) by writing it. */
#define TCCR0B_ADDR 0x45u

static plant_clock_t plant; /* the plant's time from T lines on stdin (targets/host/plant_io.h) */
static int timer_started;
static avr_cycle_count_t timer_start; /* the cycle at which the firmware's millisecond clock started */

/* The simulated MCU sleeping: with the plant clock, no wall-clock sleep at all (the harness waits for T). */
static void sleep_not(avr_t *a, avr_cycle_count_t how_long)
{
    (void)a;
    (void)how_long;
}

/* ---- command line --------------------------------------------------------------------------------------------- */

static int usage(const char *what, const char *value)
{
    if (what != NULL) {
        if (value != NULL) {
            fprintf(stderr, PROG ": %s: \"%s\"\n", what, value);
        } else {
            fprintf(stderr, PROG ": %s\n", what);
        }
    }
    fprintf(stderr,
            "usage: " PROG " --firmware ELF --link PATH [--o2-uart PATH] [--co2-uart PATH] [--eeprom PATH]\n"
            "       [--board gasboard|palletunit] [--sn SERIAL] [--period-ms N] [--stale-ms N] [--cells N]\n"
            "       [--flush-ms N] [--clock mono|plant]\n"
            "\n"
            "Runs an avr build of a cellbench board in simavr (ATmega2560, 16 MHz), its UARTs on PTYs at symlinks\n"
            "like gasboard-host's: the host link at --link, UART1 (O2 module) at --o2-uart (default PATH.o2),\n"
            "UART2 (CO2 module) at --co2-uart (PATH.co2).\n"
            "\n"
            "  --eeprom PATH   the MCU's EEPROM, a file kept up to date (default: --link path + \".eeprom\")\n"
            "  --board B       which board the ELF is, for the O line's names (default: from the ELF's file name,\n"
            "                  palletunit when it contains \"palletunit\", else gasboard)\n"
            "  --sn, --period-ms, --stale-ms, --cells, --flush-ms\n"
            "                  written into the EEPROM's provisioning record, which the firmware reads at power-up\n"
            "                  (not given: the board's default)\n"
            "  --clock mono    the MCU runs in step with real time (default)\n"
            "  --clock plant   the MCU's time follows the plant's \"T ms\" lines on stdin\n"
            "\n"
            "stdout: O n2=0 air=0 scrub=0 (or fan=0) and M sample=K, as gasboard-host. exit: 0 end of stdin or\n"
            "SIGTERM/SIGINT, 1 failure, 2 bad usage.\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const char *const gb_names[GB_OUT_PER_CELL] = GB_OUT_NAMES;
    static const char *const pu_names[PU_OUT_COUNT] = { "n2", "air", "fan" };
    static const char *const whats[PORTS] = { "--link", "--o2-uart", "--co2-uart" };
    static const char *const suffix[PORTS] = { "", ".o2", ".co2" };
    const char *firmware = NULL;
    const char *paths[PORTS] = { NULL, NULL, NULL };
    const char *eeprom_path = NULL;
    const char *board = NULL;
    const char *sn_shown;
    int plant_clock = 0;
    int provisioned = 0;
    provision_t prov;
    elf_firmware_t fw;
    struct sigaction sa;
    int i;
    int rc = 0;

    memset(&prov, 0, sizeof prov);
    for (i = 1; i < argc; i++) {
        const char *value = NULL;
        int k;
        int known = 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(NULL, NULL);
            return 0;
        }
        if (cli_take_option(argc, argv, &i, "--firmware", &value)) {
            firmware = value;
            known = 1;
        } else if (cli_take_option(argc, argv, &i, "--eeprom", &value)) {
            eeprom_path = value;
            known = 1;
        } else if (cli_take_option(argc, argv, &i, "--board", &value)) {
            if (value == NULL || (strcmp(value, "gasboard") != 0 && strcmp(value, "palletunit") != 0)) {
                return usage("--board must be gasboard or palletunit", value);
            }
            board = value;
            known = 1;
        } else if (cli_take_option(argc, argv, &i, "--clock", &value)) {
            if (!cli_parse_clock(value, &plant_clock)) {
                return usage("--clock must be mono or plant", value);
            }
            known = 1;
        } else if (cli_take_option(argc, argv, &i, "--sn", &value)) {
            if (value == NULL || !provision_sn_valid(value)) {
                return usage("--sn must be 1 to 16 characters of [A-Za-z0-9-]", value);
            }
            strcpy(prov.sn, value);
            provisioned = known = 1;
        } else if (cli_take_option(argc, argv, &i, "--period-ms", &value)) {
            if (!frame_parse_u32(value, &prov.period_ms) || prov.period_ms == 0u) {
                return usage("--period-ms must be a whole number of milliseconds, at least 1", value);
            }
            provisioned = known = 1;
        } else if (cli_take_option(argc, argv, &i, "--stale-ms", &value)) {
            if (!frame_parse_u32(value, &prov.stale_ms) || prov.stale_ms == 0u) {
                return usage("--stale-ms must be a whole number of milliseconds, at least 1", value);
            }
            provisioned = known = 1;
        } else if (cli_take_option(argc, argv, &i, "--flush-ms", &value)) {
            if (!frame_parse_u32(value, &prov.flush_ms) || prov.flush_ms == 0u) {
                return usage("--flush-ms must be a whole number of milliseconds, at least 1", value);
            }
            provisioned = known = 1;
        } else if (cli_take_option(argc, argv, &i, "--cells", &value)) {
            uint32_t n;
            if (!frame_parse_u32(value, &n) || n < 1u || n > GB_CELLS_MAX) {
                return usage("--cells must be a whole number from 1 to 8", value);
            }
            prov.cells = (uint8_t)n;
            provisioned = known = 1;
        }
        for (k = 0; !known && k < PORTS; k++) {
            if (cli_take_option(argc, argv, &i, whats[k], &value)) {
                paths[k] = value;
                known = 1;
            }
        }
        if (!known) {
            return usage("unknown argument", argv[i]);
        }
        if (value == NULL || value[0] == '\0') {
            return usage("an option needs a value", argv[i]);
        }
    }
    if (firmware == NULL || paths[0] == NULL) {
        return usage("--firmware and --link are required", NULL);
    }
    if (board == NULL) {
        const char *base = strrchr(firmware, '/');
        board = strstr(base != NULL ? base : firmware, "palletunit") != NULL ? "palletunit" : "gasboard";
    }
    if (strcmp(board, "palletunit") == 0) {
        (void)plant_outputs_init(&out, pu_names, (uint8_t)PU_OUT_COUNT, (uint8_t)PU_OUT_COUNT, 0xFFu, 1u);
        prov.cells = 0; /* no manifold */
    } else {
        (void)plant_outputs_init(&out, gb_names, (uint8_t)GB_OUT_ACTUATORS, (uint8_t)GB_OUT_PER_CELL,
                                 (uint8_t)GB_OUT_SAMPLE, prov.cells != 0u ? prov.cells : (uint8_t)GB_CELLS_DEFAULT);
    }
    if (eeprom_path != NULL) {
        snprintf(ee.path, sizeof ee.path, "%s", eeprom_path);
    } else {
        snprintf(ee.path, sizeof ee.path, "%s.eeprom", paths[0]);
    }

    avr_global_logger_set(log_to_stderr);
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
    avr->frequency = F_CPU_HZ;
    avr_load_firmware(avr, &fw);
    if (plant_clock) {
        avr->sleep = sleep_not;
    }
    if (open_eeprom() != 0) {
        return 1;
    }
    if (!provisioned) {
        /* The record already in the EEPROM (if any) says how many cells the O line has. */
        uint8_t bytes[PROVISION_SIZE];
        provision_t held;
        memcpy(bytes, &ee.shadow[PROVISION_ADDR], PROVISION_SIZE);
        if (provision_decode(bytes, &held)) {
            if (out.sample_kind != 0xFFu && held.cells != 0u) {
                out.cells = held.cells;
            }
            if (held.sn[0] != '\0') {
                strcpy(prov.sn, held.sn);
            }
        }
    } else if (provision(&prov) != 0) {
        fprintf(stderr, PROG ": cannot write the provisioning record\n");
        return 1;
    }
    sync_eeprom();
    sn_shown = prov.sn[0] != '\0' ? prov.sn : strcmp(board, "palletunit") == 0 ? PU_SN_DEFAULT : GB_SN_DEFAULT;
    plant_clock_init(&plant, log_error);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (i = 0; i < PORTS; i++) {
        port_t *p = &ports[i];
        uint32_t flags = 0;
        char name = (char)('0' + i);
        p->pty.what = whats[i];
        {
            avr_io_t *io;
            for (io = avr->io_port; io != NULL; io = io->next) {
                if (io->kind != NULL && strcmp(io->kind, "uart") == 0 && ((avr_uart_t *)io)->name == name) {
                    p->uart = (avr_uart_t *)io;
                }
            }
            if (p->uart == NULL) {
                fprintf(stderr, PROG ": simavr's atmega2560 has no UART%c\n", name);
                return 1;
            }
        }
        p->ucsrb = (uint16_t)(0xC1u + 8u * (unsigned)i); /* UCSR0B, UCSR1B, UCSR2B on the ATmega2560 */
        if (paths[i] != NULL) {
            snprintf(p->pty.link_path, sizeof p->pty.link_path, "%s", paths[i]);
        } else {
            snprintf(p->pty.link_path, sizeof p->pty.link_path, "%s%s", paths[0], suffix[i]);
        }
        if (pty_port_open(&p->pty, log_error) != 0) {
            return 1;
        }
        avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS(name), &flags);
        flags &= ~(uint32_t)AVR_UART_FLAG_STDIO;
        avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(name), &flags);
        p->input = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_INPUT);
        avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(name), UART_IRQ_OUTPUT), on_uart_output, p);
    }
    atexit(remove_links);
    for (i = 0; i < PORTS; i++) {
        rc = pty_port_make_link(&ports[i].pty, log_error);
        if (rc != 0) {
            return rc;
        }
    }
    plant_outputs_announce(&out); /* the plant learns the outputs' state at start, as from the host target */
    fprintf(stderr, PROG ": o2-uart=%s (%s) co2-uart=%s (%s)\n", ports[1].pty.link_path, ports[1].pty.pty_name,
            ports[2].pty.link_path, ports[2].pty.pty_name);
    fprintf(stderr, PROG ": board=%s eeprom=%s clock=%s\n", board, ee.path, plant_clock ? "plant" : "mono");
    /* Launchers wait for this line: every symlink is in place. */
    fprintf(stderr, PROG ": sn=%s pty=%s link=%s\n", sn_shown, ports[0].pty.pty_name, ports[0].pty.link_path);

    while (!stop_requested) {
        struct pollfd pf[1 + PORTS];
        avr_cycle_count_t start = avr->cycle;
        /* Tick k of the firmware's 1 kHz timer (hal_millis() = k) comes k ms after the timer was started; half a
         * tick later the firmware has handled it and sleeps. */
        avr_cycle_count_t target = timer_start + (avr_cycle_count_t)plant.ms * CYCLES_PER_MS + CYCLES_PER_MS / 2u;
        int state = avr->state;
        int held = 0;
        int any_away = 0;
        int incoming = 0;
        int backlog = 0;
        int timeout;

        for (i = 0; i < PORTS; i++) {
            flush_port(&ports[i]);
            backlog |= ports[i].out_len > OUTBUF / 2u;
        }
        if (backlog) {
            start = avr->cycle - CYCLES_PER_MS; /* the reader is behind: the MCU waits this round */
        }

        /* About a millisecond of the MCU (with the plant clock: up to the plant's time, or while busy), then
         * the PTYs and stdin. */
        while (avr->cycle - start < CYCLES_PER_MS && state != cpu_Done && state != cpu_Crashed) {
            if (plant_clock && timer_started && avr->state == cpu_Sleeping && avr->cycle >= target &&
                avr->cycle >= busy_until) {
                int u;
                int sending = 0;
                for (u = 0; u < PORTS; u++) {
                    sending |= (avr->data[ports[u].ucsrb] & (1u << 5)) != 0u; /* UDRIE: bytes still to send */
                    sending |= ports[u].in_len > 0u;
                }
                sending |= avr_has_pending_interrupts(avr) != 0; /* a wake-up not yet taken */
                if (!sending) {
                    held = 1;
                    break;
                }
            }
            state = avr_run(avr);
            check_outputs();
            /* Bytes on their way into the MCU (simavr hands them over one byte-time apart): the firmware may take
             * the last one just after its poll and sleep until its next tick (targets/avr/main.c), so it runs on
             * for two ticks after the last byte. */
            for (i = 0; i < PORTS; i++) {
                if (ports[i].uart->input.read != ports[i].uart->input.write) {
                    busy_until = avr->cycle + 2u * CYCLES_PER_MS;
                }
            }
            if (!timer_started && avr->data[TCCR0B_ADDR] != 0u) {
                timer_started = 1; /* the firmware's clock has started (hal_avr_init) */
                timer_start = avr->cycle;
                target = timer_start + (avr_cycle_count_t)plant.ms * CYCLES_PER_MS + CYCLES_PER_MS / 2u;
            }
        }
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(stderr, PROG ": the firmware %s\n", state == cpu_Done ? "stopped" : "crashed");
            return 1;
        }
        sync_eeprom();
        for (i = 0; i < PORTS; i++) {
            check_presence(&ports[i]);
            incoming |= pump_port(&ports[i]);
            any_away |= ports[i].pty.away;
        }
        /* Held at the plant's time with nothing coming in: sleep until a T line, a byte or a signal. Otherwise only
         * look. */
        timeout = backlog ? AWAY_PROBE_MS : held && !incoming ? (any_away ? AWAY_PROBE_MS : 1000) : 0;
        pf[0].fd = STDIN_FILENO;
        for (i = 0; i < PORTS; i++) {
            pf[1 + i].fd = ports[i].pty.away ? -1 : ports[i].pty.master;
        }
        for (i = 0; i < 1 + PORTS; i++) {
            pf[i].events = POLLIN;
            pf[i].revents = 0;
        }
        for (i = 0; i < PORTS; i++) {
            if (ports[i].out_len > 0u) {
                pf[1 + i].events |= POLLOUT;
            }
        }
        if (poll(pf, 1 + PORTS, timeout) > 0 && (pf[0].revents & (POLLHUP | POLLIN | POLLERR))) {
            if (!plant_clock_read_stdin(&plant)) {
                break; /* the plant (the launcher) has gone */
            }
        }
    }
    sync_eeprom();
    if (plant.bad_lines > 0u) {
        fprintf(stderr, PROG ": plant link: %lu malformed lines\n", (unsigned long)plant.bad_lines);
    }
    avr_terminate(avr);
    return 0;
}
