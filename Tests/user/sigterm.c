// A default-action fatal signal: the program flushes a line to stdout and one to stderr, then
// raises SIGTERM with no handler installed. The process dies of the signal: the exit status a
// shell sees is 143 (128 + 15), and nothing after the raise runs.
#include <signal.h>
#include <stdio.h>
// expect-exit: 143

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct sigaction old;
    sigaction(SIGTERM, NULL, &old);
    printf("SIGTERM disposition is SIG_DFL: %s\n", old.sa_handler == SIG_DFL ? "yes" : "no");
    fprintf(stderr, "raising SIGTERM\n");
    fflush(stdout);
    raise(SIGTERM);
    printf("still alive after raise\n");
    return 0;
}
