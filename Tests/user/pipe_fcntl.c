// pipe2, dup3 and fcntl: pipe2(O_CLOEXEC | O_NONBLOCK) sets FD_CLOEXEC and O_NONBLOCK; an empty
// non-blocking read is EAGAIN; data flows through dup3/dup2/F_DUPFD copies; dup3 flags and its
// EINVAL for the same fd; F_DUPFD's lowest-at-or-above rule; F_SETFD/F_SETFL; the pipe's capacity
// (F_GETPIPE_SZ) is what a non-blocking writer can fill before EAGAIN; EOF once every write end is
// closed; EPIPE (and SIGPIPE) once every read end is; EBADF for a closed fd.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
static const char *err(long r) {
    if (r >= 0) return "ok";
    switch (errno) {
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EPIPE: return "EPIPE";
    default: return "other";
    }
}

static volatile sig_atomic_t sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    int p[2];
    printf("pipe2(O_CLOEXEC | O_NONBLOCK): %d\n", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    printf("FD_CLOEXEC on both ends: %s\n", yes((fcntl(p[0], F_GETFD) & FD_CLOEXEC) && (fcntl(p[1], F_GETFD) & FD_CLOEXEC)));
    int fl0 = fcntl(p[0], F_GETFL), fl1 = fcntl(p[1], F_GETFL);
    printf("O_NONBLOCK on both ends: %s, access modes read/write: %s\n", yes((fl0 & O_NONBLOCK) && (fl1 & O_NONBLOCK)),
           yes((fl0 & O_ACCMODE) == O_RDONLY && (fl1 & O_ACCMODE) == O_WRONLY));

    char buf[128];
    ssize_t n = read(p[0], buf, sizeof buf);
    printf("read of the empty pipe: %zd %s\n", n, err(n));

    int d = dup3(p[1], 10, O_CLOEXEC);
    printf("dup3 to 10: %d, FD_CLOEXEC: %s\n", d, yes(fcntl(10, F_GETFD) & FD_CLOEXEC));
    int r = dup3(10, 10, 0);
    printf("dup3 onto itself: %d %s\n", r, err(r));
    printf("dup2 onto itself: %d\n", dup2(10, 10));
    d = dup3(p[0], 11, 0);
    printf("dup3 to 11 without flags: %d, FD_CLOEXEC: %s, shares O_NONBLOCK: %s\n", d, yes(fcntl(11, F_GETFD) & FD_CLOEXEC),
           yes(fcntl(11, F_GETFL) & O_NONBLOCK));
    write(10, "hello", 5);
    n = read(11, buf, sizeof buf);
    printf("through the copies: %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);

    printf("F_DUPFD at or above 20: %d\n", fcntl(p[1], F_DUPFD, 20));
    printf("again: %d\n", fcntl(p[1], F_DUPFD, 20));
    int c = fcntl(p[1], F_DUPFD_CLOEXEC, 30);
    printf("F_DUPFD_CLOEXEC at or above 30: %d, FD_CLOEXEC: %s\n", c, yes(fcntl(c, F_GETFD) & FD_CLOEXEC));
    fcntl(c, F_SETFD, 0);
    printf("F_SETFD 0 clears it: %s\n", yes(fcntl(c, F_GETFD) == 0));

    long size = fcntl(p[1], F_GETPIPE_SZ);
    printf("F_GETPIPE_SZ: %ld\n", size);
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    long filled = 0;
    while ((n = write(p[1], chunk, sizeof chunk)) > 0) filled += n;
    printf("a non-blocking writer filled %ld bytes, then %s\n", filled, err(n));
    long drained = 0;
    while ((n = read(p[0], chunk, sizeof chunk)) > 0) drained += n;
    printf("drained %ld bytes, then %s\n", drained, err(n));

    fcntl(p[0], F_SETFL, fl0 & ~O_NONBLOCK);
    printf("F_SETFL clears O_NONBLOCK: %s\n", yes(!(fcntl(p[0], F_GETFL) & O_NONBLOCK)));
    write(p[1], "last", 4);
    close(p[1]);
    close(10);
    close(20);
    close(21);
    close(c);
    n = read(p[0], buf, sizeof buf);
    printf("read before EOF: %zd\n", n);
    n = read(p[0], buf, sizeof buf);
    printf("read with every write end closed: %zd\n", n);
    n = write(p[1], "x", 1);
    printf("write to a closed fd: %zd %s\n", n, err(n));

    int q[2];
    pipe(q);
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    n = write(q[1], "x", 1);
    printf("write with no reader, SIGPIPE ignored: %zd %s\n", n, err(n));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_pipe;
    sigaction(SIGPIPE, &sa, NULL);
    n = write(q[1], "x", 1);
    printf("write with no reader, SIGPIPE handled: %zd %s, SIGPIPE delivered %d time(s)\n", n, err(n), (int)sigpipes);
    close(q[1]);
    close(p[0]);
    close(11);
    return 0;
}
