/* A board's EEPROM as a file; see eeprom_file.h. */
#define _XOPEN_SOURCE 700 /* pread, pwrite, O_CLOEXEC */
#include "targets/host/eeprom_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int eeprom_file_open(const char *path, pty_port_log_fn log)
{
    uint8_t erased[256];
    struct stat st;
    off_t size;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0 || fstat(fd, &st) != 0) {
        log("--eeprom %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    memset(erased, 0xFF, sizeof erased);
    for (size = st.st_size; size < EEPROM_FILE_CAUSE_OFFSET + 1;) {
        size_t n = (size_t)(EEPROM_FILE_CAUSE_OFFSET + 1 - size);
        if (n > sizeof erased) {
            n = sizeof erased;
        }
        if (pwrite(fd, erased, n, size) != (ssize_t)n) {
            log("--eeprom %s: cannot initialise: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        size += (off_t)n;
    }
    return fd;
}

int eeprom_file_take_watchdog_cause(int fd, const char *path, pty_port_log_fn log)
{
    uint8_t cause = 0xFFu;

    if (pread(fd, &cause, 1, EEPROM_FILE_CAUSE_OFFSET) != 1 || cause != EEPROM_FILE_CAUSE_WATCHDOG) {
        return 0;
    }
    cause = 0xFFu;
    if (pwrite(fd, &cause, 1, EEPROM_FILE_CAUSE_OFFSET) != 1) {
        log("--eeprom %s: cannot clear the reset cause: %s", path, strerror(errno));
    }
    return 1;
}
