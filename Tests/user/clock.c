// Clocks: CLOCK_MONOTONIC never decreases over 10000 reads; nanosleep(20 ms) advances it by at
// least 20 ms; clock_getres is positive and at most 1 ms; REALTIME is after 2024 and agrees with
// gettimeofday and time(); MONOTONIC_RAW, BOOTTIME and the CPU-time clocks work, process CPU time
// advances over busy work; an invalid clock id is EINVAL; clock_nanosleep TIMER_ABSTIME.
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long read_clock(clockid_t id) {
    struct timespec t;
    if (clock_gettime(id, &t) != 0) return -1;
    return ns(t);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    long long prev = read_clock(CLOCK_MONOTONIC), backwards = 0, bad_nsec = 0;
    for (int i = 0; i < 10000; i++) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000) bad_nsec++;
        if (ns(t) < prev) backwards++;
        prev = ns(t);
    }
    printf("CLOCK_MONOTONIC over 10000 reads: went backwards %lld times, bad tv_nsec %lld times\n", backwards, bad_nsec);

    long long a = read_clock(CLOCK_MONOTONIC);
    struct timespec d = {0, 20000000};
    int r = nanosleep(&d, NULL);
    long long b = read_clock(CLOCK_MONOTONIC);
    printf("nanosleep 20 ms: %d, monotonic advanced at least 20 ms: %s\n", r, yes(b - a >= 20000000));

    struct timespec res;
    r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres(MONOTONIC): %d, positive and at most 1 ms: %s\n", r, yes(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000));

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    printf("CLOCK_REALTIME after 2024-01-01: %s\n", yes(rt.tv_sec > 1704067200));
    printf("gettimeofday within 2 s of it: %s, time() too: %s\n", yes(tv.tv_sec - rt.tv_sec <= 2 && tv.tv_sec >= rt.tv_sec),
           yes(t - rt.tv_sec <= 2 && t >= rt.tv_sec));

    printf("CLOCK_MONOTONIC_RAW: %s, CLOCK_BOOTTIME: %s, CLOCK_MONOTONIC_COARSE: %s, CLOCK_REALTIME_COARSE: %s\n",
           yes(read_clock(CLOCK_MONOTONIC_RAW) > 0), yes(read_clock(CLOCK_BOOTTIME) > 0),
           yes(read_clock(CLOCK_MONOTONIC_COARSE) > 0), yes(read_clock(CLOCK_REALTIME_COARSE) > 0));

    long long c0 = read_clock(CLOCK_PROCESS_CPUTIME_ID), th0 = read_clock(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long x = 0;
    long long until = read_clock(CLOCK_MONOTONIC) + 200000000;
    while (read_clock(CLOCK_MONOTONIC) < until)
        for (int i = 0; i < 1000; i++) x += i;
    long long c1 = read_clock(CLOCK_PROCESS_CPUTIME_ID), th1 = read_clock(CLOCK_THREAD_CPUTIME_ID);
    printf("process CPU time advanced over 200 ms of busy work: %s, thread CPU time too: %s\n", yes(c0 >= 0 && c1 > c0),
           yes(th0 >= 0 && th1 > th0));

    r = clock_gettime((clockid_t)1000, &rt);
    printf("clock_gettime(1000): %d %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "other");

    struct timespec target;
    clock_gettime(CLOCK_MONOTONIC, &target);
    target.tv_nsec += 30000000;
    if (target.tv_nsec >= 1000000000) { target.tv_sec++; target.tv_nsec -= 1000000000; }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    printf("clock_nanosleep TIMER_ABSTIME: %d, woke after the target: %s\n", r, yes(read_clock(CLOCK_MONOTONIC) >= ns(target)));
    return 0;
}
