/*
 * The wasm target is built without a C library (clang --target=wasm32 -nostdlib): this header declares the
 * five functions the board code uses, and targets/wasm/mini_libc.c defines them.
 */
#ifndef CELLBENCH_WASM_STRING_H
#define CELLBENCH_WASM_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);

#endif
