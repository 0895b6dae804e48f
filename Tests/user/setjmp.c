// setjmp/longjmp (locals kept in volatile variables survive, the value passed arrives, 0 becomes 1,
// a jump out of nested frames), and sigsetjmp/siglongjmp out of a signal handler: with savemask 1
// the signal mask of the sigsetjmp is restored; with savemask 0 the handler's mask (the signal
// blocked) stays.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static jmp_buf env;
static int depth_reached;

static void dive(int depth) {
    volatile char pad[256];
    pad[0] = (char)depth;
    depth_reached = depth + pad[0] - depth;
    if (depth == 10) longjmp(env, depth * 100);
    if (depth < 100) dive(depth + 1);
    pad[1] = 0;
}

static sigjmp_buf senv;
static volatile sig_atomic_t handled;

static void handler(int sig) {
    handled = sig;
    siglongjmp(senv, sig);
}

static int blocked(int sig) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, sig);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    volatile int kept = 1;
    int r = setjmp(env);
    if (r == 0) {
        kept = 42;
        longjmp(env, 7);
    }
    printf("setjmp returned %d after longjmp(7), volatile local kept: %d\n", r, kept);

    r = setjmp(env);
    if (r == 0) longjmp(env, 0);
    printf("longjmp(0) makes setjmp return %d\n", r);

    r = setjmp(env);
    if (r == 0) dive(0);
    printf("longjmp out of 10 nested frames: setjmp returned %d, depth reached %d\n", r, depth_reached);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    r = sigsetjmp(senv, 1);
    if (r == 0) {
        raise(SIGUSR1);
        printf("not reached after raise\n");
    }
    printf("siglongjmp out of the handler (savemask 1): sigsetjmp returned %d, handler saw %d, SIGUSR1 blocked after: %s\n",
           r, (int)handled, yes(blocked(SIGUSR1)));

    handled = 0;
    r = sigsetjmp(senv, 0);
    if (r == 0) {
        raise(SIGUSR2);
        printf("not reached after raise\n");
    }
    printf("siglongjmp out of the handler (savemask 0): sigsetjmp returned %d, handler saw %d, SIGUSR2 still blocked: %s\n",
           r, (int)handled, yes(blocked(SIGUSR2)));

    // Savemask 1 restores a mask that had a signal blocked at sigsetjmp time, too.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_SETMASK, &set, NULL);
    r = sigsetjmp(senv, 1);
    if (r == 0) {
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(SIGUSR1);
    }
    printf("after the third jump: SIGUSR2 blocked again: %s, SIGUSR1 blocked: %s\n", yes(blocked(SIGUSR2)), yes(blocked(SIGUSR1)));
    return 0;
}
