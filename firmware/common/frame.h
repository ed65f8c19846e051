/*
 * Board protocol framing (firmware/PROTOCOL.md, "Link" and "Frame"): the same code on every target.
 *
 * Three parts, none of which allocates or touches hardware:
 *   - the line assembler turns received bytes, one at a time, into complete lines;
 *   - the parser judges one line (ok, E_TOOLONG, E_SYNTAX, E_CRC, in the order PROTOCOL.md gives) and, when it
 *     is a frame, points at its type and fields;
 *   - the writer builds one frame, with its checksum and '\n', into a caller's bounded buffer.
 */
#ifndef CELLBENCH_FRAME_H
#define CELLBENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Limits from PROTOCOL.md. */
#define FRAME_LINE_MAX   160u /* bytes of a line before its '\n' */
#define FRAME_TYPE_MIN   2u
#define FRAME_TYPE_MAX   8u
#define FRAME_FIELDS_MAX 16u
#define FRAME_KEY_MAX    12u
#define FRAME_VALUE_MAX  64u
#define FRAME_TAIL_LEN   5u   /* "*CCCC" */

/* Room a writer needs for the longest frame: the line, its '\n' and a terminating NUL. */
#define FRAME_BUF_SIZE (FRAME_LINE_MAX + 2u)

/* A line's verdict. FRAME_OK is 0 so that "if (verdict)" reads as "if rejected". */
typedef enum {
    FRAME_OK = 0,
    FRAME_E_TOOLONG,
    FRAME_E_SYNTAX,
    FRAME_E_CRC
} frame_verdict_t;

/* "ok", "E_TOOLONG", "E_SYNTAX" or "E_CRC": the words of PROTOCOL.md and of the golden frames. */
const char *frame_verdict_name(frame_verdict_t verdict);

/* ------------------------------------------------------------------------------------------------------------
 * Line assembler
 *
 * Feed it every received byte. It never blocks, never stops and never overflows:
 *   - '\n' ends a line; a '\r' directly before the '\n' is dropped (CR LF terminals), any other '\r' is data;
 *   - a line longer than FRAME_LINE_MAX bytes is thrown away up to the next '\n', which then reports
 *     FRAME_LINE_TOOLONG once;
 *   - every other byte, NUL included, is data (the parser rejects what does not belong in a frame).
 * ---------------------------------------------------------------------------------------------------------- */

typedef enum {
    FRAME_LINE_NONE = 0, /* nothing complete yet */
    FRAME_LINE_READY,    /* a line is complete: read it with frame_lineasm_line() before the next push */
    FRAME_LINE_TOOLONG   /* a line longer than FRAME_LINE_MAX just ended and was discarded */
} frame_line_event_t;

typedef struct {
    char buf[FRAME_LINE_MAX + 1u]; /* the line so far; NUL-terminated when READY (it may hold NULs itself) */
    uint16_t len;                  /* bytes in buf */
    uint8_t cr_pending;            /* a '\r' arrived and is held until we know whether '\n' follows */
    uint8_t discarding;            /* the current line is too long; bytes are dropped until '\n' */
    uint8_t ready;                 /* the last push completed a line; the next push starts a new one */
} frame_lineasm_t;

void frame_lineasm_reset(frame_lineasm_t *la);
frame_line_event_t frame_lineasm_push(frame_lineasm_t *la, uint8_t byte);

/* The completed line (valid after FRAME_LINE_READY until the next push or reset); *len gets its length. */
char *frame_lineasm_line(frame_lineasm_t *la, size_t *len);

/* ------------------------------------------------------------------------------------------------------------
 * Parser
 * ---------------------------------------------------------------------------------------------------------- */

typedef struct {
    const char *key;
    const char *value;
} frame_field_t;

/* A parsed frame. The strings point into the line that was parsed: keep that buffer while using the frame. */
typedef struct {
    const char *type;
    uint8_t nfields;
    frame_field_t fields[FRAME_FIELDS_MAX];
} frame_t;

/*
 * Judges the line (without its '\n') of len bytes at line. On FRAME_OK fills *out; the parser then has cut the
 * line into NUL-terminated pieces in place (it overwrites the separators ' ', '=' and '*'), so the line is no
 * longer readable as one string. On a rejection *out is left empty and the line may be partly cut.
 * Bytes may be anything, NUL included: the length, never a terminator, says where the line ends.
 */
frame_verdict_t frame_parse(char *line, size_t len, frame_t *out);

/* The value of key in f, or NULL when the frame has no such field. */
const char *frame_get(const frame_t *f, const char *key);

/* ------------------------------------------------------------------------------------------------------------
 * Writer
 *
 *   frame_writer_t w;
 *   frame_writer_begin(&w, buf, sizeof buf, "ACK");
 *   frame_writer_u32(&w, "id", 2);
 *   n = frame_writer_end(&w);   -> "ACK id=2*XXXX\n", n = 14; 0 if anything was wrong
 *
 * Every call checks the grammar (type, key, value characters and lengths, field count, line length) and the
 * room left; after the first failure the writer only records that it failed and frame_writer_end returns 0.
 * It does not look for a key written twice: board code writes fixed field lists.
 * ---------------------------------------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    uint8_t nfields;
    uint8_t failed;
} frame_writer_t;

void frame_writer_begin(frame_writer_t *w, char *buf, size_t cap, const char *type);
void frame_writer_str(frame_writer_t *w, const char *key, const char *value);
void frame_writer_u32(frame_writer_t *w, const char *key, uint32_t value);
/* A fixed-point value with that many decimals: (2090, 2) -> "20.90", (-50, 2) -> "-0.50", (40, 3) -> "0.040". */
void frame_writer_fixed(frame_writer_t *w, const char *key, int32_t value, uint8_t decimals);
/* 1 when a field key=value (value a u32) still fits: the line, the buffer and the field count (and the writer
 * has not failed). */
int frame_writer_fits(const frame_writer_t *w, const char *key, uint32_t value);
/* Appends "*CCCC\n" (upper-case hex) and a NUL; returns the bytes to send (with the '\n'), or 0 on failure. */
size_t frame_writer_end(frame_writer_t *w);

/* Writes a whole parsed (or built) frame: type and fields in their order. Returns as frame_writer_end does. */
size_t frame_write(const frame_t *f, char *buf, size_t cap);

/* Reads an unsigned decimal as PROTOCOL.md writes numbers ("0", "42"; no sign, no leading zero, fits in
 * 32 bits). Returns 1 and sets *out on success, 0 otherwise. */
int frame_parse_u32(const char *s, uint32_t *out);

/* 1 when every field of f has one of the allowed keys (a NULL-terminated list): a command's key check. */
int frame_only_keys(const frame_t *f, const char *const *allowed);

/* Most digits frame_parse_fixed reads (so that the value and its scaling fit in 32 bits). */
#define FRAME_FIXED_DIGITS_MAX 9u

/* Reads a decimal with up to `decimals` decimals as fixed point in that many decimals ("20.95", 2 -> 2095;
 * "5" -> 500; "-0.5" -> -50 when sign_ok): digits, at most one '.' with a digit after it, at most max_digits
 * digits in all (capped at FRAME_FIXED_DIGITS_MAX), a leading '-' only when sign_ok. Returns 1 and sets *out,
 * or 0 (NULL, anything else, or a value whose scaling would not fit). */
int frame_parse_fixed(const char *s, uint8_t decimals, uint8_t max_digits, int sign_ok, int32_t *out);

#endif
