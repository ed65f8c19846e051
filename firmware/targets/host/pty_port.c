/* A board's UART as a PTY at a symlink; see pty_port.h. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#define _DEFAULT_SOURCE   /* cfmakeraw */

#include "targets/host/pty_port.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int pty_port_set_raw(int fd)
{
    struct termios t;

    if (tcgetattr(fd, &t) != 0) {
        return -1;
    }
    cfmakeraw(&t);
    /* The speed is only for clients that read it back; a PTY has none. */
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    return tcsetattr(fd, TCSANOW, &t);
}

int pty_port_reset_slave(const pty_port_t *p)
{
    int fd = open(p->pty_name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    int rc = 0;

    if (fd < 0) {
        return -1;
    }
    if (pty_port_set_raw(fd) != 0 || tcflush(fd, TCIFLUSH) != 0) {
        rc = -1;
    }
    close(fd);
    return rc;
}

int pty_port_open(pty_port_t *p, pty_port_log_fn log)
{
    const char *name;
    int flags;

    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0) {
        log("cannot create a PTY: posix_openpt: %s", strerror(errno));
        return -1;
    }
    if (grantpt(p->master) != 0 || unlockpt(p->master) != 0 || (name = ptsname(p->master)) == NULL) {
        log("cannot set up the PTY: %s", strerror(errno));
        return -1;
    }
    if (strlen(name) >= sizeof p->pty_name) {
        log("PTY name too long: %s", name);
        return -1;
    }
    strcpy(p->pty_name, name);
    flags = fcntl(p->master, F_GETFL);
    if (flags < 0 || fcntl(p->master, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(p->master, F_SETFD, FD_CLOEXEC) != 0) {
        log("cannot make the PTY non-blocking: %s", strerror(errno));
        return -1;
    }
    if (pty_port_reset_slave(p) != 0) {
        log("cannot set %s to raw mode: %s", p->pty_name, strerror(errno));
        return -1;
    }
    /* pty_port_reset_slave opened and closed the slave: nobody has it open now. */
    p->away = 1;
    return 0;
}

int pty_port_make_link(pty_port_t *p, pty_port_log_fn log)
{
    struct stat st;

    if (lstat(p->link_path, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            log("%s %s: exists and is not a symlink; refusing to replace it", p->what, p->link_path);
            return PTY_PORT_REFUSED;
        }
        /* A symlink left by an earlier run (or another board): ours now. */
        if (unlink(p->link_path) != 0) {
            log("%s %s: cannot remove the old symlink: %s", p->what, p->link_path, strerror(errno));
            return PTY_PORT_FAILED;
        }
    } else if (errno != ENOENT) {
        log("%s %s: %s", p->what, p->link_path, strerror(errno));
        return PTY_PORT_FAILED;
    }
    if (symlink(p->pty_name, p->link_path) != 0) {
        log("%s %s: cannot create the symlink: %s", p->what, p->link_path, strerror(errno));
        return PTY_PORT_FAILED;
    }
    p->link_made = 1;
    return PTY_PORT_OK;
}

void pty_port_remove_link(pty_port_t *p)
{
    char target[sizeof p->pty_name];
    ssize_t n;

    if (!p->link_made) {
        return;
    }
    p->link_made = 0;
    n = readlink(p->link_path, target, sizeof target - 1u);
    if (n < 0) {
        return;
    }
    target[n] = '\0';
    if (strcmp(target, p->pty_name) == 0) {
        unlink(p->link_path);
    }
}
