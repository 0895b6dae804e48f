// munmap then access -> SIGSEGV (SEGV_MAPERR, si_addr the address touched); unmapping the middle
// page of three leaves the outer two usable; a fresh mapping reads as zeros; munmap of an unaligned
// address is EINVAL; madvise(MADV_DONTNEED) zeroes private anonymous pages.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static sigjmp_buf back;
static volatile int faults, last_code;
static void *volatile last_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    faults++;
    last_code = si->si_code;
    last_addr = si->si_addr;
    siglongjmp(back, 1);
}

static const char *code_name(int c) {
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    long page = sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    volatile char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zeros = 1;
    for (long i = 0; i < 3 * page; i++) zeros &= m[i] == 0;
    printf("fresh anonymous mapping reads as zeros: %s\n", yes(zeros));
    for (long i = 0; i < 3 * page; i++) m[i] = (char)(i % 251);

    printf("munmap the middle page: %d\n", munmap((void *)(m + page), page));
    printf("first and last pages intact: %s\n", yes(m[5] == 5 && m[2 * page + 7] == (char)((2 * page + 7) % 251)));

    if (sigsetjmp(back, 1) == 0) {
        char v = m[page + 123];
        printf("read of the unmapped page returned %d\n", v);
    } else {
        printf("read of the unmapped page: faults %d, si_code %s, si_addr right: %s\n", faults, code_name(last_code),
               yes(last_addr == (void *)(m + page + 123)));
    }
    if (sigsetjmp(back, 1) == 0) {
        m[page] = 1;
        printf("write to the unmapped page returned\n");
    } else {
        printf("write to the unmapped page: faults %d, si_code %s, si_addr right: %s\n", faults, code_name(last_code),
               yes(last_addr == (void *)(m + page)));
    }

    int r = munmap((void *)(m + 1), page);
    printf("munmap of an unaligned address: %d %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "other");
    printf("munmap of an already unmapped range: %d\n", munmap((void *)(m + page), page));

    printf("madvise MADV_DONTNEED: %d\n", madvise((void *)m, page, MADV_DONTNEED));
    printf("the page reads as zeros again: %s\n", yes(m[5] == 0 && m[page - 1] == 0));

    munmap((void *)m, 3 * page);
    if (sigsetjmp(back, 1) == 0) {
        char v = m[2 * page];
        printf("read after unmapping everything returned %d\n", v);
    } else {
        printf("read after unmapping everything: faults %d, si_code %s, si_addr right: %s\n", faults, code_name(last_code),
               yes(last_addr == (void *)(m + 2 * page)));
    }
    return 0;
}
