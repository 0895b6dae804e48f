// A NULL dereference caught by a SIGSEGV handler: si_signo SIGSEGV, si_code SEGV_MAPERR, si_addr 0
// (and the offset for a field past NULL); the ucontext's pc is the faulting load and its
// fault_address the address; a handler that advances pc by 4 and returns resumes after the load
// with the register it set in the context.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static sigjmp_buf back;
static volatile int got_signo, got_code;
static void *volatile got_addr;
static volatile uint64_t got_pc, got_fault_address;

static void jump_handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    got_signo = si->si_signo == sig ? sig : -1;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_pc = uc->uc_mcontext.pc;
    got_fault_address = uc->uc_mcontext.fault_address;
    siglongjmp(back, 1);
}

// The faulting load, at a known address: x0 = *(x1); returns x0.
extern char faulting_load[];
__asm__(".text\n.globl load_via\n.type load_via, %function\nload_via:\n"
        "mov x1, x0\nmov x0, #77\n.globl faulting_load\nfaulting_load:\nldr x0, [x1]\nret\n");
uint64_t load_via(const void *p);

static void skip_handler(int sig, siginfo_t *si, void *uc_) {
    (void)sig;
    ucontext_t *uc = uc_;
    got_addr = si->si_addr;
    got_pc = uc->uc_mcontext.pc;
    uc->uc_mcontext.regs[0] = 0x5eed;     // what the load "returned"
    uc->uc_mcontext.pc += 4;
}

static const char *code_name(int c) {
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

struct thing { long a, b, c; };

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = jump_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    volatile int *volatile np = NULL;
    if (sigsetjmp(back, 1) == 0) {
        int v = *np;
        printf("read through NULL returned %d\n", v);
    } else {
        printf("read through NULL: signal %d, si_code %s, si_addr == 0: %s\n", got_signo, code_name(got_code), yes(got_addr == NULL));
    }

    struct thing *volatile tp = NULL;
    if (sigsetjmp(back, 1) == 0) {
        tp->c = 5;
        printf("write through NULL returned\n");
    } else {
        printf("write to NULL->c: signal %d, si_code %s, si_addr == 16: %s\n", got_signo, code_name(got_code),
               yes((uintptr_t)got_addr == 16));
    }

    if (sigsetjmp(back, 1) == 0) {
        load_via((const void *)8);
    } else {
        printf("load from 8: si_addr == 8: %s, pc at the load: %s, fault_address == 8: %s\n", yes((uintptr_t)got_addr == 8),
               yes(got_pc == (uintptr_t)faulting_load), yes(got_fault_address == 8));
    }

    sa.sa_sigaction = skip_handler;
    sigaction(SIGSEGV, &sa, NULL);
    uint64_t v = load_via(NULL);
    printf("handler skipped the load and set x0: 0x%llx, si_addr == 0: %s, pc at the load: %s\n", (unsigned long long)v,
           yes(got_addr == NULL), yes(got_pc == (uintptr_t)faulting_load));
    v = load_via(NULL);
    printf("again: 0x%llx\n", (unsigned long long)v);
    return 0;
}
