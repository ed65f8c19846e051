/*
 * A tiny assertion helper for the C host tests: no framework, one header.
 *
 * Each CHECK* counts one pass or one failure and goes on (a test sees all its failures in one run); a failure
 * prints file:line, the expression and, for the typed forms, both values. check_done() prints the final line,
 * exactly "N passed, N failed", and gives main()'s exit status (non-zero when anything failed).
 *
 * Meant to be included by exactly one .c file per test binary (it defines its counters as statics).
 */
#ifndef CELLBENCH_CHECK_H
#define CELLBENCH_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned long check_passed;
static unsigned long check_failed;

static inline int check_report(int ok, const char *file, int line, const char *expr)
{
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, expr);
    }
    return ok;
}

static inline int check_ulong(unsigned long got, unsigned long want, const char *file, int line, const char *expr)
{
    if (!check_report(got == want, file, line, expr)) {
        fprintf(stderr, "    got %lu, want %lu\n", got, want);
        return 0;
    }
    return 1;
}

static inline int check_long(long got, long want, const char *file, int line, const char *expr)
{
    if (!check_report(got == want, file, line, expr)) {
        fprintf(stderr, "    got %ld, want %ld\n", got, want);
        return 0;
    }
    return 1;
}

static inline int check_str(const char *got, const char *want, const char *file, int line, const char *expr)
{
    int ok = (got == NULL && want == NULL) || (got != NULL && want != NULL && strcmp(got, want) == 0);
    if (!check_report(ok, file, line, expr)) {
        fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
        return 0;
    }
    return 1;
}

static inline int check_done(void)
{
    printf("%lu passed, %lu failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#define CHECK(cond)          check_report(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ_U(got, want) check_ulong((unsigned long)(got), (unsigned long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_I(got, want) check_long((long)(got), (long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_STR(got, want)  check_str((got), (want), __FILE__, __LINE__, #got " == " #want)

#endif
