// mremap: growing a mapping in place when the next pages are free, growing with MREMAP_MAYMOVE
// when they are not (contents kept, the new part zeros and writable, the old range unmapped),
// shrinking (the tail unmapped), growing without MAYMOVE into a mapped neighbour (ENOMEM),
// MREMAP_FIXED to a chosen address, and an unaligned old address (EINVAL).
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static sigjmp_buf back;
static volatile int faults;

static void handler(int sig) {
    (void)sig;
    faults++;
    siglongjmp(back, 1);
}

// Whether reading p faults.
static int unmapped(volatile char *p) {
    if (sigsetjmp(back, 1) == 0) {
        (void)*p;
        return 0;
    }
    return 1;
}

static int pattern_ok(const char *p, long n) {
    for (long i = 0; i < n; i++)
        if (p[i] != (char)(i * 7 % 253)) return 0;
    return 1;
}

static int zeros(const char *p, long n) {
    for (long i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    long page = sysconf(_SC_PAGESIZE);
    signal(SIGSEGV, handler);

    // Reserve 8 pages, keep 2: the 6 after them are a known hole.
    char *m = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 2 * page, 6 * page);
    for (long i = 0; i < 2 * page; i++) m[i] = (char)(i * 7 % 253);
    char *g = mremap(m, 2 * page, 4 * page, 0);
    printf("grow in place into a hole: same address: %s, contents kept: %s, new part zeros: %s\n", yes(g == m),
           yes(g != MAP_FAILED && pattern_ok(g, 2 * page)), yes(g != MAP_FAILED && zeros(g + 2 * page, 2 * page)));
    g[4 * page - 1] = 'z';

    // A neighbour right after the end: growing needs MAYMOVE.
    char *wall = mmap(m + 4 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    wall[0] = 'w';
    char *r = mremap(m, 4 * page, 8 * page, 0);
    int e = errno;
    printf("grow into a mapped neighbour without MAYMOVE: %s %s\n", r == MAP_FAILED ? "MAP_FAILED" : "moved?",
           r == MAP_FAILED && e == ENOMEM ? "ENOMEM" : "other");

    char *moved = mremap(m, 4 * page, 16 * page, MREMAP_MAYMOVE);
    printf("grow with MREMAP_MAYMOVE: succeeded: %s, moved: %s, contents kept: %s, last old byte kept: %s, new part zeros: %s\n",
           yes(moved != MAP_FAILED), yes(moved != m), yes(pattern_ok(moved, 2 * page)), yes(moved[4 * page - 1] == 'z'),
           yes(zeros(moved + 4 * page, 12 * page)));
    moved[16 * page - 1] = 'e';
    printf("the new end is writable: %s\n", yes(moved[16 * page - 1] == 'e'));
    printf("the old range is unmapped: %s, the neighbour intact: %s\n", yes(unmapped(m) && unmapped(m + 3 * page)),
           yes(wall[0] == 'w'));

    char *s = mremap(moved, 16 * page, 3 * page, 0);
    printf("shrink: same address: %s, contents kept: %s, tail unmapped: %s\n", yes(s == moved), yes(pattern_ok(s, 2 * page)),
           yes(unmapped(moved + 3 * page) && unmapped(moved + 15 * page)));

    // MREMAP_FIXED: move to a chosen free address (a reserved then released range).
    char *target = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(target, 3 * page);
    char *f = mremap(s, 3 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    printf("MREMAP_FIXED: at the target: %s, contents kept: %s, source unmapped: %s\n", yes(f == target),
           yes(f == target && pattern_ok(f, 2 * page)), yes(unmapped(s)));

    r = mremap(f + 1, page, 2 * page, MREMAP_MAYMOVE);
    e = errno;
    printf("unaligned old address: %s %s\n", r == MAP_FAILED ? "MAP_FAILED" : "mapped", r == MAP_FAILED && e == EINVAL ? "EINVAL" : "other");
    printf("faults taken by the probes: %d\n", faults);
    return 0;
}
