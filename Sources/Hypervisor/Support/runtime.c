/* C library routines for libfdt and the Embedded Swift runtime. Kept in C
   with -fno-builtin so the compiler cannot turn these loops back into calls
   to themselves; built with -mgeneral-regs-only like the Swift code. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

void *memset(void *d, int c, size_t n) {
    unsigned char *p = d;
    while (n && ((uintptr_t)p & 7)) { *p++ = (unsigned char)c; n--; }
    uint64_t w = (unsigned char)c; w |= w << 8; w |= w << 16; w |= w << 32;
    for (; n >= 8; n -= 8, p += 8) *(uint64_t *)p = w;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *dp = d; const unsigned char *sp = s;
    if ((((uintptr_t)dp | (uintptr_t)sp) & 7) == 0)
        for (; n >= 8; n -= 8, dp += 8, sp += 8) *(uint64_t *)dp = *(const uint64_t *)sp;
    while (n--) *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n) {
    unsigned char *dp = d; const unsigned char *sp = s;
    if (dp == sp || n == 0) return d;
    if (dp < sp || dp >= sp + n) return memcpy(d, s, n);
    while (n--) dp[n] = sp[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}

void *memchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    for (; n; n--, p++) if (*p == (unsigned char)c) return (void *)p;
    return NULL;
}

size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
size_t strnlen(const char *s, size_t m) { size_t n = 0; while (n < m && s[n]) n++; return n; }

char *strchr(const char *s, int c) {
    for (;; s++) { if (*s == (char)c) return (char *)s; if (!*s) return NULL; }
}

char *strrchr(const char *s, int c) {
    const char *r = NULL;
    for (;; s++) { if (*s == (char)c) r = s; if (!*s) return (char *)r; }
}

unsigned long strtoul(const char *s, char **end, int base) {
    unsigned long v = 0;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { s += 2; base = 16; }
    else if (base == 0) base = s[0] == '0' ? 8 : 10;
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'z') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'Z') d = *s - 'A' + 10;
        else break;
        if (d >= base) break;
        v = v * base + d;
    }
    if (end) *end = (char *)s;
    return v;
}

/* libfdt.a was built with -fstack-protector: a fixed canary is enough to
   satisfy the link; a smashed stack still stops the CPU. */
uintptr_t __stack_chk_guard = 0x6d696e6f73aa55ccUL;
extern void hv_stack_smashed(uintptr_t caller);
void __stack_chk_fail(void) {
    hv_stack_smashed((uintptr_t)__builtin_return_address(0));
    for (;;) __asm__ volatile("wfe");
}

/* Hashable seeding in the Swift runtime; determinism matters more than secrecy here. */
void arc4random_buf(void *buf, size_t n) {
    unsigned char *p = buf; uint64_t x = 0x9e3779b97f4a7c15UL;
    while (n--) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; *p++ = (unsigned char)x; }
}

/* ---- Heap: posix_memalign/free for the Swift runtime ----
   Power-of-two size classes with per-class free lists over the linker's heap
   region; a 16-byte header holds the class. Requests aligned beyond 16 bytes
   are rare (none in the core) and are carved from the bump pointer, never freed. */
#include "hvarch.h"

uint32_t hv_lock_words[8];              /* 0 heap, others handed out by Core/Lock.swift */
static uint64_t heap_next;
static void *free_heads[40];

void hv_heap_init(void) { heap_next = (uint64_t)__heap_start; }

static void *bump(uint64_t size, uint64_t align) {
    uint64_t p = (heap_next + align - 1) & ~(align - 1);
    if (p + size > (uint64_t)__heap_end) return NULL;
    heap_next = p + size;
    return (void *)p;
}

int posix_memalign(void **out, size_t align, size_t size) {
    void *r = NULL;
    hv_spin_lock(&hv_lock_words[0]);
    if (align <= 16) {
        unsigned k = 5;
        while (((size_t)1 << k) < size + 16) k++;
        if (free_heads[k]) { r = free_heads[k]; free_heads[k] = *(void **)r; }
        else r = bump((uint64_t)1 << k, 16);
        if (r) { *(uint64_t *)r = k; r = (char *)r + 16; }
    } else {
        char *b = bump(size + align, align);
        if (b) { r = b + align; *(uint64_t *)((char *)r - 16) = 0xFF; }
    }
    hv_spin_unlock(&hv_lock_words[0]);
    if (!r) return 12; /* ENOMEM */
    *out = r;
    return 0;
}

void *malloc(size_t n) { void *p; return posix_memalign(&p, 16, n) ? NULL : p; }

void free(void *p) {
    if (!p) return;
    char *h = (char *)p - 16;
    uint64_t k = *(uint64_t *)h;
    if (k >= 40) return;
    hv_spin_lock(&hv_lock_words[0]);
    *(void **)h = free_heads[k];
    free_heads[k] = h;
    hv_spin_unlock(&hv_lock_words[0]);
}
