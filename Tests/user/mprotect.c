// mprotect write protection: mmap two RW pages, write, mprotect the second PROT_READ, read it,
// write it -> SIGSEGV with si_addr the address written (the page's start) and SEGV_ACCERR; the
// handler mprotects the page back to RW and returns, the write is retried and lands. Then
// PROT_NONE makes a read fault too, a write to read-only memory from a syscall (read(2) into it)
// gives EFAULT instead of a signal, mprotect of an unaligned address is EINVAL, and code written
// into an RW page runs after mprotect(PROT_READ | PROT_EXEC).
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static long page;
static volatile int faults, last_code;
static void *volatile last_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    faults++;
    last_code = si->si_code;
    last_addr = si->si_addr;
    void *base = (void *)((uintptr_t)si->si_addr & ~(uintptr_t)(page - 1));
    mprotect(base, page, PROT_READ | PROT_WRITE);
}

static const char *code_name(int c) {
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    page = sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    volatile char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap: %s\n", yes(m != MAP_FAILED));
    volatile char *p2 = m + page;
    m[0] = 'a';
    p2[0] = 'b';
    p2[100] = 'c';
    printf("mprotect PROT_READ: %d\n", mprotect((void *)p2, page, PROT_READ));
    printf("still readable: %c%c, faults so far %d\n", p2[0], p2[100], faults);
    m[1] = 'd';
    printf("the first page still writable: %c, faults so far %d\n", m[1], faults);

    p2[0] = 'e';
    printf("write to the read-only page: faults %d, si_code %s, si_addr is the page: %s, the retried write landed: %c\n",
           faults, code_name(last_code), yes(last_addr == (void *)p2), p2[0]);
    p2[1] = 'f';
    printf("after the handler's mprotect the page stays writable: faults %d, %c\n", faults, p2[1]);

    mprotect((void *)p2, page, PROT_NONE);
    char v = p2[100];
    printf("read of a PROT_NONE page: faults %d, si_code %s, si_addr right: %s, value after the retry: %c\n",
           faults, code_name(last_code), yes(last_addr == (void *)(p2 + 100)), v);

    // A system call writing into read-only memory fails with EFAULT; no signal.
    mprotect((void *)p2, page, PROT_READ);
    int fds[2];
    pipe(fds);
    write(fds[1], "xyz", 3);
    ssize_t n = read(fds[0], (void *)(p2 + 8), 3);
    printf("read(2) into a read-only page: %zd %s, faults %d\n", n, n == -1 && errno == EFAULT ? "EFAULT" : "other", faults);

    int r = mprotect((void *)(p2 + 1), page, PROT_READ);
    printf("mprotect of an unaligned address: %d %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "other");

    // Code written into an RW page, then made executable with mprotect, runs.
    uint32_t *code = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    code[0] = 0xd2800540;   // mov x0, #42
    code[1] = 0xd65f03c0;   // ret
    mprotect(code, page, PROT_READ | PROT_EXEC);
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    long (*fn)(void) = (long (*)(void))code;
    printf("code written, then mprotect PROT_EXEC, runs: %ld\n", fn());
    return 0;
}
