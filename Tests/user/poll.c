// poll, ppoll and select on a pipe: an empty pipe is not readable (timeout 0 returns 0 at once; a
// 100 ms timeout returns 0 after at least 100 ms); the write end is writable; data makes the read
// end POLLIN; closing the write end gives POLLHUP, closing the read end gives the writer POLLERR;
// a closed fd gives POLLNVAL; ppoll with a signal mask lets a pending signal interrupt it (EINTR);
// select reports the readable end.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void events(const char *what, short e) {
    printf("%s:%s%s%s%s%s\n", what, e & POLLIN ? " POLLIN" : "", e & POLLOUT ? " POLLOUT" : "", e & POLLHUP ? " POLLHUP" : "",
           e & POLLERR ? " POLLERR" : "", e & POLLNVAL ? " POLLNVAL" : "");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    int p[2];
    pipe(p);
    struct pollfd f[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
    int r = poll(f, 1, 0);
    printf("empty pipe, timeout 0: %d\n", r);
    long long t0 = now_ms();
    r = poll(f, 1, 100);
    printf("empty pipe, timeout 100 ms: %d, waited at least 100 ms: %s\n", r, yes(now_ms() - t0 >= 100));
    r = poll(f, 2, 0);
    printf("both ends: %d\n", r);
    events("read end", f[0].revents);
    events("write end", f[1].revents);

    write(p[1], "abc", 3);
    r = poll(f, 2, -1);
    printf("after a write: %d\n", r);
    events("read end", f[0].revents);

    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = {0, 0};
    r = select(p[0] + 1, &rd, NULL, NULL, &tv);
    printf("select: %d, read end set: %s\n", r, yes(FD_ISSET(p[0], &rd)));

    char buf[8];
    read(p[0], buf, sizeof buf);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv.tv_usec = 20000;
    r = select(p[0] + 1, &rd, NULL, NULL, &tv);
    printf("select on the drained pipe with a 20 ms timeout: %d\n", r);

    close(p[1]);
    r = poll(f, 1, 1000);
    printf("write end closed: %d\n", r);
    events("read end", f[0].revents);

    int q[2];
    pipe(q);
    close(q[0]);
    struct pollfd w = {.fd = q[1], .events = POLLOUT};
    r = poll(&w, 1, 0);
    printf("read end closed: %d\n", r);
    events("write end", w.revents);
    close(q[1]);

    struct pollfd bad = {.fd = q[1], .events = POLLIN};
    r = poll(&bad, 1, 0);
    printf("closed fd: %d\n", r);
    events("closed fd", bad.revents);
    struct pollfd neg = {.fd = -1, .events = POLLIN, .revents = 0x7fff};
    r = poll(&neg, 1, 0);
    printf("negative fd ignored: %d, revents %d\n", r, neg.revents);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    sigemptyset(&empty);
    int e[2];
    pipe(e);
    struct pollfd pe = {.fd = e[0], .events = POLLIN};
    struct timespec ts = {5, 0};
    t0 = now_ms();
    r = ppoll(&pe, 1, &ts, &empty);
    int err = errno;
    printf("ppoll with SIGUSR1 pending and unblocked by its mask: %d %s, handler ran %d time(s), promptly: %s\n", r,
           r == -1 && err == EINTR ? "EINTR" : "other", (int)usr1, yes(now_ms() - t0 < 4000));
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask restored after ppoll: %s\n", yes(sigismember(&now, SIGUSR1)));
    return 0;
}
