// mmap MAP_FIXED and MAP_FIXED_NOREPLACE: MAP_FIXED over the middle of a mapping replaces just that
// page (now zeros, at exactly that address, neighbours intact); MAP_FIXED_NOREPLACE over a mapped
// page fails with EEXIST and leaves it alone, and succeeds in a hole; MAP_FIXED of a file (the
// program itself, through /proc/self/exe) shows its bytes; an unaligned MAP_FIXED address is
// EINVAL; a zero length is EINVAL.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static const char *yes(int c) { return c ? "yes" : "no"; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(m, 'x', 4 * page);

    char *p = mmap(m + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at the second page: at that address: %s\n", yes(p == m + page));
    printf("the replaced page reads as zeros: %s, neighbours intact: %s\n", yes(p[0] == 0 && p[page - 1] == 0),
           yes(m[page - 1] == 'x' && m[2 * page] == 'x'));

    p = mmap(m + 2 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int e = errno;
    printf("MAP_FIXED_NOREPLACE over a mapped page: %s %s, page untouched: %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped",
           p == MAP_FAILED && e == EEXIST ? "EEXIST" : "other", yes(m[2 * page] == 'x'));

    p = mmap(m + 3 * page, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    e = errno;
    printf("MAP_FIXED_NOREPLACE partly over a mapping: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped",
           p == MAP_FAILED && e == EEXIST ? "EEXIST" : "other");

    munmap(m + 3 * page, page);
    p = mmap(m + 3 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE in a hole: at that address: %s, zeros: %s\n", yes(p == m + 3 * page), yes(p[0] == 0));

    int fd = open("/proc/self/exe", O_RDONLY);
    p = mmap(m, page, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    printf("MAP_FIXED of the program file: at that address: %s, ELF magic: %s, next page intact: %s\n", yes(p == m),
           yes(p == m && memcmp(p, "\177ELF", 4) == 0), yes(m[page] == 0));
    close(fd);

    p = mmap(m + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    e = errno;
    printf("MAP_FIXED at an unaligned address: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped",
           p == MAP_FAILED && e == EINVAL ? "EINVAL" : "other");
    p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    e = errno;
    printf("zero length: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped", p == MAP_FAILED && e == EINVAL ? "EINVAL" : "other");
    return 0;
}
