/*
 * A board's UART on the Linux machine: a pseudo-terminal published at a symlink. Shared by the host target
 * (gasboard-host, palletunit-host: hal_host.c) and the simavr harness (targets/avr-sim/avr_sim.c), so that a
 * client sees the same PTY behaviour from either; why it behaves as it does is written at the top of
 * hal_host.c. Host tooling, not firmware.
 */
#ifndef TARGETS_HOST_PTY_PORT_H
#define TARGETS_HOST_PTY_PORT_H

#define PTY_PORT_LINK_MAX 4096
#define PTY_PORT_NAME_MAX 64

/* pty_port_make_link's results, which are also the processes' exit statuses. */
#define PTY_PORT_OK      0
#define PTY_PORT_FAILED  1 /* a system call failed */
#define PTY_PORT_REFUSED 2 /* the link path exists and is not a symlink: not ours to replace */

typedef struct {
    const char *what;                  /* the option naming it in messages: "--link", "--o2-uart", ... */
    char link_path[PTY_PORT_LINK_MAX];
    char pty_name[PTY_PORT_NAME_MAX];
    int master;                        /* -1 until opened */
    int link_made;
    int away;                          /* no process has the slave open */
} pty_port_t;

/* Where messages go: printf-style, one message per call, without a newline. */
typedef void (*pty_port_log_fn)(const char *fmt, ...);

/* Raw mode on a PTY slave: no echo, no "\n" to "\r\n", no line buffering, no signals. */
int pty_port_set_raw(int fd);

/* Opens the slave briefly: raw mode again, and what was written that nobody read is thrown away. 0 or -1. */
int pty_port_reset_slave(const pty_port_t *p);

/* A new non-blocking, close-on-exec master with its slave in raw mode; p->away is set (nobody has the slave
 * open). 0, or -1 after logging why. */
int pty_port_open(pty_port_t *p, pty_port_log_fn log);

/* Publishes the slave at p->link_path, replacing a symlink left there but nothing else. PTY_PORT_OK, or
 * PTY_PORT_FAILED / PTY_PORT_REFUSED after logging why. */
int pty_port_make_link(pty_port_t *p, pty_port_log_fn log);

/* Removes the symlink, only while it still points at our PTY: another process may have taken the path over. */
void pty_port_remove_link(pty_port_t *p);

#endif
