// sigaltstack: a handler installed with SA_ONSTACK runs on the alternate stack (a local's address
// lies inside it, and sigaltstack reports SS_ONSTACK there); one without SA_ONSTACK does not; the
// old stack is reported back; SS_DISABLE; a too-small stack is refused (ENOMEM); and a stack
// overflow (infinite recursion) is caught on the alternate stack.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

#define ALT_SIZE (64 * 1024)
static char *alt;
static volatile int on_alt, flag_onstack, ran;

static void handler(int sig) {
    (void)sig;
    volatile char local;
    uintptr_t a = (uintptr_t)&local;
    on_alt = a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
    stack_t now;
    sigaltstack(NULL, &now);
    flag_onstack = (now.ss_flags & SS_ONSTACK) != 0;
    ran++;
}

static sigjmp_buf escape;
static volatile int overflow_on_alt;

static void segv_handler(int sig) {
    (void)sig;
    volatile char local;
    uintptr_t a = (uintptr_t)&local;
    overflow_on_alt = a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
    siglongjmp(escape, 1);
}

static volatile int forever = 1;

static int recurse(volatile char *prev, int depth) {
    volatile char buf[1024];
    buf[0] = (char)depth;
    buf[1023] = prev ? prev[0] : 0;
    if (!forever) return buf[0];
    return recurse(buf, depth + 1) + buf[1023];
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0}, old;
    printf("sigaltstack: %d\n", sigaltstack(&ss, &old));
    printf("no alternate stack before: %s\n", yes(old.ss_flags & SS_DISABLE));
    stack_t back;
    sigaltstack(NULL, &back);
    printf("reads back: %s, not on it now: %s\n", yes(back.ss_sp == alt && back.ss_size == ALT_SIZE),
           yes(!(back.ss_flags & (SS_ONSTACK | SS_DISABLE))));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler ran: %d, a local inside the alternate stack: %s, SS_ONSTACK reported: %s\n",
           ran, yes(on_alt), yes(flag_onstack));

    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    ran = 0;
    raise(SIGUSR2);
    printf("handler without SA_ONSTACK ran: %d, on the alternate stack: %s, SS_ONSTACK reported: %s\n",
           ran, yes(on_alt), yes(flag_onstack));

    stack_t small = {.ss_sp = alt, .ss_size = 256, .ss_flags = 0};
    int r = sigaltstack(&small, NULL);
    printf("a 256-byte stack: %d %s\n", r, r == -1 && errno == ENOMEM ? "ENOMEM" : "other");

    // Unbounded recursion overflows the main stack: SIGSEGV, handled on the alternate stack.
    struct sigaction segv;
    memset(&segv, 0, sizeof segv);
    segv.sa_handler = segv_handler;
    segv.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &segv, NULL);
    if (sigsetjmp(escape, 1) == 0) {
        recurse(NULL, 0);
        printf("recursion returned\n");
    } else {
        printf("stack overflow caught, handler on the alternate stack: %s\n", yes(overflow_on_alt));
    }

    stack_t off = {.ss_flags = SS_DISABLE};
    printf("SS_DISABLE: %d\n", sigaltstack(&off, NULL));
    sigaltstack(NULL, &back);
    printf("disabled now: %s\n", yes(back.ss_flags & SS_DISABLE));
    ran = 0;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler with the stack disabled ran: %d, on the old alternate stack: %s\n", ran, yes(on_alt));
    return 0;
}
