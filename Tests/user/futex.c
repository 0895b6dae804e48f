// Raw futex(2): WAIT on a changed value (EAGAIN), WAIT with relative and absolute timeouts that
// expire (ETIMEDOUT, after at least the timeout), WAKE of a known number of blocked waiters, a
// futex-based mutex under contention (4 threads x 10000), each with and without FUTEX_PRIVATE_FLAG,
// and EINVAL for a misaligned address.
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// pthread_create, or a message and exit status 1 when threads cannot be made at all.
static void create(pthread_t *t, void *(*fn)(void *), void *arg) {
    int e = pthread_create(t, NULL, fn, arg);
    if (e != 0) {
        printf("pthread_create failed: %s\n", strerror(e));
        exit(1);
    }
}

static long futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static const char *yes(int c) { return c ? "yes" : "no"; }

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int private_flag;   // 0 or FUTEX_PRIVATE_FLAG for the current round

// Drepper's "Futexes Are Tricky" mutex: 0 unlocked, 1 locked, 2 locked with waiters.
static int lockword;
static long counter;

static void lock(int *w) {
    int c = __sync_val_compare_and_swap(w, 0, 1);
    if (c == 0) return;
    if (c != 2) c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex(w, FUTEX_WAIT | private_flag, 2, NULL, NULL, 0);
        c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
    }
}

static void unlock(int *w) {
    if (__atomic_fetch_sub(w, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(w, 0, __ATOMIC_RELEASE);
        futex(w, FUTEX_WAKE | private_flag, 1, NULL, NULL, 0);
    }
}

static void *contender(void *arg) {
    (void)arg;
    for (int i = 0; i < 10000; i++) {
        lock(&lockword);
        long v = counter;
        if (i % 64 == 0) sched_yield();      // hold the lock a while now and then: real contention
        counter = v + 1;
        unlock(&lockword);
    }
    return NULL;
}

// Waiters that block once on `gate` (value 0) and record how their wait ended.
static int gate;
static int arrived;
static int wait_results[3];

static void *waiter(void *arg) {
    long me = (long)arg;
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    long r = futex(&gate, FUTEX_WAIT | private_flag, 0, NULL, NULL, 0);
    wait_results[me] = r == 0 ? 0 : errno;
    return NULL;
}

// Starts 3 waiters, then wakes them `per_call` at a time until all 3 are woken.
static void wake_round(int per_call, const char *what) {
    pthread_t t[3];
    arrived = 0;
    for (long i = 0; i < 3; i++) create(&t[i], waiter, (void *)i);
    while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < 3) sched_yield();
    int total = 0, too_many = 0;
    long long deadline = now_ns() + 20000000000LL;
    while (total < 3 && now_ns() < deadline) {
        long n = futex(&gate, FUTEX_WAKE | private_flag, per_call, NULL, NULL, 0);
        if (n > per_call) too_many = 1;
        if (n > 0) total += n;
        else usleep(1000);                  // a waiter has arrived but not blocked yet
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    int all_zero = 1;
    for (int i = 0; i < 3; i++) all_zero &= wait_results[i] == 0;
    printf("%s: woke %d waiters, never more than %d per call: %s, every WAIT returned 0: %s\n",
           what, total, per_call, yes(!too_many), yes(all_zero));
}

static void round_(int flag, const char *name) {
    private_flag = flag;
    printf("-- %s\n", name);

    int word = 5;
    long r = futex(&word, FUTEX_WAIT | flag, 4, NULL, NULL, 0);
    printf("WAIT on a changed value: %ld %s\n", r, r == -1 && errno == EAGAIN ? "EAGAIN" : "other");

    struct timespec rel = {0, 50000000};
    long long t0 = now_ns();
    r = futex(&word, FUTEX_WAIT | flag, 5, &rel, NULL, 0);
    long long dt = now_ns() - t0;
    printf("WAIT with a 50 ms timeout: %ld %s, waited at least 50 ms: %s\n", r,
           r == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "other", yes(dt >= 50000000));

    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 30000000;
    if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
    r = futex(&word, FUTEX_WAIT_BITSET | flag, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &after);
    int past = after.tv_sec > abs.tv_sec || (after.tv_sec == abs.tv_sec && after.tv_nsec >= abs.tv_nsec);
    printf("WAIT_BITSET with an absolute monotonic deadline: %ld %s, returned after the deadline: %s\n", r,
           r == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "other", yes(past));

    r = futex(&word, FUTEX_WAKE | flag, INT_MAX, NULL, NULL, 0);
    printf("WAKE with no waiters: %ld\n", r);

    wake_round(1, "WAKE 1 at a time");
    wake_round(INT_MAX, "WAKE all");

    lockword = 0;
    counter = 0;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) create(&t[i], contender, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("futex mutex counter: %ld (want 40000), lock word at the end: %d\n", counter, lockword);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    round_(0, "shared futexes");
    round_(FUTEX_PRIVATE_FLAG, "FUTEX_PRIVATE_FLAG");

    static int pair[2];
    int *odd = (int *)((char *)pair + 1);
    long r = futex(odd, FUTEX_WAKE, 1, NULL, NULL, 0);
    printf("WAKE on a misaligned address: %ld %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "other");
    r = futex(&pair[0], 99, 0, NULL, NULL, 0);
    printf("an unknown futex operation: %ld %s\n", r, r == -1 && errno == ENOSYS ? "ENOSYS" : "other");
    return 0;
}
