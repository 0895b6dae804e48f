// alarm and interval timers: SIGALRM reaches a handler after alarm(1) while the program is in
// pause() (EINTR, at least ~1 s later) and while in sleep() (interrupted early); alarm(0) cancels
// and returns the seconds left; a periodic ITIMER_REAL delivers repeatedly until disarmed.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
static volatile sig_atomic_t alarms;

static void on_alarm(int sig) { (void)sig; alarms++; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    double t0 = now();
    printf("alarm(1) with none pending: %u\n", alarm(1));
    int r = pause();
    int e = errno;
    double dt = now() - t0;
    printf("pause: %d %s, handler ran %d time(s), after at least 0.9 s: %s\n", r, e == EINTR ? "EINTR" : "other", (int)alarms,
           yes(dt >= 0.9));

    alarms = 0;
    alarm(1);
    unsigned left = sleep(5);
    printf("sleep(5) interrupted by the alarm: %s, handler ran %d time(s)\n", yes(left > 0 && left <= 5), (int)alarms);

    alarm(30);
    unsigned prev = alarm(0);
    printf("alarm(0) cancels, returning the seconds left of alarm(30): %u\n", prev);
    alarms = 0;
    struct timespec ts = {1, 200000000};
    nanosleep(&ts, NULL);
    printf("no SIGALRM after cancelling: %s\n", yes(alarms == 0));

    struct itimerval it = {{0, 50000}, {0, 50000}}, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer shows the interval: %s, armed: %s\n", yes(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 50000),
           yes(cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0));
    alarms = 0;
    while (alarms < 5) pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("periodic timer delivered at least 5 times: %s\n", yes(alarms >= 5));
    getitimer(ITIMER_REAL, &cur);
    printf("disarmed: %s\n", yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0));
    return 0;
}
