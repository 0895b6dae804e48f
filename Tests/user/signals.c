// Signal handlers: sigaction with SA_SIGINFO for raise (SI_TKILL) and kill to self (SI_USER,
// si_pid = our pid), the handler's sa_mask and the signal itself blocked while it runs,
// sigprocmask blocking (pending, sigpending) then unblocking delivering the pending signal exactly
// once, a standard signal raised twice while blocked delivered once, SA_RESETHAND, SA_NODEFER,
// SIG_IGN, and a handler interrupting a blocking read (EINTR without SA_RESTART).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static volatile sig_atomic_t count, last_signo, last_code, pid_ok, depth, max_depth;
static volatile sig_atomic_t mask_had_usr2, mask_had_self, uc_ok, last_value;
static pid_t mypid;

static void info_handler(int sig, siginfo_t *si, void *ucontext) {
    count++;
    last_signo = si->si_signo == sig ? sig : -1;
    last_code = si->si_code;
    pid_ok = si->si_pid == mypid;
    uc_ok = ucontext != NULL;
    last_value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    mask_had_usr2 = sigismember(&now, SIGUSR2);
    mask_had_self = sigismember(&now, sig);
}

static volatile sig_atomic_t raised;

static void nested_handler(int sig) {
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (raised < 2) {                    // with SA_NODEFER this nests; otherwise it stays pending
        raised++;
        raise(sig);
    }
    count++;
    depth--;
}

static void plain_handler(int sig) { (void)sig; count++; }

static const char *code_name(int code) {
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    default: return "other";
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    mypid = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    printf("sigaction SIGUSR1: %d\n", sigaction(SIGUSR1, &sa, NULL));

    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    printf("sigaction reads back SA_SIGINFO and the handler: %s\n",
           yes((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == info_handler && sigismember(&old.sa_mask, SIGUSR2)));

    count = 0;
    printf("raise: %d\n", raise(SIGUSR1));
    printf("raise: handler ran %d time(s), si_signo right: %s, si_code %s, si_pid is ours: %s, ucontext given: %s\n",
           (int)count, yes(last_signo == SIGUSR1), code_name(last_code), yes(pid_ok), yes(uc_ok));
    printf("raise: SIGUSR2 (sa_mask) blocked in the handler: %s, SIGUSR1 itself blocked: %s\n",
           yes(mask_had_usr2), yes(mask_had_self));

    count = 0;
    printf("kill self: %d\n", kill(mypid, SIGUSR1));
    printf("kill self: handler ran %d time(s), si_code %s, si_pid is ours: %s\n", (int)count, code_name(last_code), yes(pid_ok));

    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask restored after the handlers: %s\n", yes(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2)));

    // Blocked, then unblocked.
    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    count = 0;
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pending);
    printf("blocked: handler ran %d time(s), pending: %s\n", (int)count, yes(sigismember(&pending, SIGUSR1)));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("unblocked: handler ran %d time(s) (a standard signal raised twice while blocked)\n", (int)count);
    sigpending(&pending);
    printf("still pending: %s\n", yes(sigismember(&pending, SIGUSR1)));

    // rt_sigqueueinfo to self: si_code SI_QUEUE and the value.
    count = 0;
    union sigval v = {.sival_int = 1234};
    printf("sigqueue: %d\n", sigqueue(mypid, SIGUSR1, v));
    printf("sigqueue: handler ran %d time(s), si_code %s, si_value %d\n", (int)count, code_name(last_code), (int)last_value);

    // SA_NODEFER: the handler re-raises and nests; without it the re-raise waits until return.
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nested_handler;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR2, &sa, NULL);
    count = 0; depth = 0; max_depth = 0; raised = 0;
    raise(SIGUSR2);
    printf("SA_NODEFER: handler ran %d times, deepest nesting %d\n", (int)count, (int)max_depth);
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    count = 0; depth = 0; max_depth = 0; raised = 0;
    raise(SIGUSR2);
    printf("without SA_NODEFER: handler ran %d times, deepest nesting %d\n", (int)count, (int)max_depth);

    // SA_RESETHAND: the disposition is back to SIG_DFL after the first delivery.
    sa.sa_handler = plain_handler;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGWINCH, &sa, NULL);
    count = 0;
    raise(SIGWINCH);
    sigaction(SIGWINCH, NULL, &old);
    printf("SA_RESETHAND: handler ran %d time(s), disposition now SIG_DFL: %s\n", (int)count, yes(old.sa_handler == SIG_DFL));

    // SIG_IGN: nothing happens; a real-time signal with a handler is queued per raise.
    signal(SIGUSR1, SIG_IGN);
    printf("ignored SIGUSR1 raised: %d\n", raise(SIGUSR1));
    sa.sa_handler = plain_handler;
    sa.sa_flags = 0;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    count = 0;
    raise(SIGRTMIN + 1);
    raise(SIGRTMIN + 1);
    raise(SIGRTMIN + 1);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("real-time signal raised 3 times while blocked: handler ran %d times\n", (int)count);

    // A handler interrupts a blocking read on an empty pipe (no SA_RESTART): EINTR.
    int p[2];
    pipe(p);
    sa.sa_handler = plain_handler;
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    count = 0;
    alarm(1);
    char c;
    ssize_t n = read(p[0], &c, 1);
    int e = errno;
    printf("blocking read interrupted: %zd %s, handler ran %d time(s)\n", n, n == -1 && e == EINTR ? "EINTR" : "other", (int)count);

    // sigsuspend: waits with SIGUSR2 unblocked, returns EINTR after the handler.
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    count = 0;
    raise(SIGUSR2);
    sigset_t during;
    sigemptyset(&during);
    int r = sigsuspend(&during);
    e = errno;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("sigsuspend: %d %s, handler ran %d time(s), old mask back: %s\n", r, e == EINTR ? "EINTR" : "other",
           (int)count, yes(sigismember(&now, SIGUSR2)));
    return 0;
}
