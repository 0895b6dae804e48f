// pthreads: a mutex-protected counter (4 threads x 10000), a condition-variable
// producer/consumer queue, a barrier, thread-local variables and values returned through
// pthread_join. Everything printed is computed after the joins.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// pthread_create, or a message and exit status 1 when threads cannot be made at all.
static void create(pthread_t *t, void *(*fn)(void *), void *arg) {
    int e = pthread_create(t, NULL, fn, arg);
    if (e != 0) {
        printf("pthread_create failed: %s\n", strerror(e));
        exit(1);
    }
}

#define THREADS 4
#define ROUNDS 10000
#define ITEMS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incrementer(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

// A one-slot queue: the producer waits for the slot to empty, the consumer for it to fill.
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static int slot, full;
static long consumed_sum, consumed_count, out_of_order;

static void *producer(void *arg) {
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (full) pthread_cond_wait(&qcond, &qlock);
        slot = i;
        full = 1;
        pthread_cond_broadcast(&qcond);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    (void)arg;
    int last = 0;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (!full) pthread_cond_wait(&qcond, &qlock);
        if (slot != last + 1) out_of_order++;
        last = slot;
        consumed_sum += slot;
        consumed_count++;
        full = 0;
        pthread_cond_broadcast(&qcond);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

// Barrier: each thread writes its phase-1 value, waits, then reads all the others' values.
static pthread_barrier_t barrier;
static int phase1[THREADS];
static int seen_all[THREADS];
static int serial_count;

static void *barrier_worker(void *arg) {
    int me = (int)(long)arg;
    phase1[me] = me + 1;
    int r = pthread_barrier_wait(&barrier);
    if (r == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_fetch_add(&serial_count, 1, __ATOMIC_SEQ_CST);
    int ok = 1;
    for (int i = 0; i < THREADS; i++) ok &= phase1[i] == i + 1;
    seen_all[me] = ok;
    return NULL;
}

static __thread long tls_count = 7;

static void *tls_worker(void *arg) {
    long me = (long)arg;
    tls_count = 1000 * me;
    for (int i = 0; i < 100; i++) {
        tls_count++;
        if (i % 10 == 0) sched_yield();
    }
    return (void *)tls_count;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) create(&t[i], incrementer, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("mutex counter: %ld (want %d)\n", counter, THREADS * ROUNDS);

    pthread_t p, c;
    create(&c, consumer, NULL);
    create(&p, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("condvar consumed: %ld items, sum %ld, out of order %ld\n", consumed_count, consumed_sum, out_of_order);

    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) create(&t[i], barrier_worker, (void *)(long)i);
    int all = 1;
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) all &= seen_all[i];
    pthread_barrier_destroy(&barrier);
    printf("barrier: every thread saw every phase-1 write: %s\n", all ? "yes" : "no");
    printf("barrier: serial threads: %d\n", serial_count);

    // Return values through pthread_join, thread-local storage (TPIDR_EL0 per thread), and
    // distinct pthread_self values.
    void *ret[THREADS];
    for (int i = 0; i < THREADS; i++) create(&t[i], tls_worker, (void *)(long)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], &ret[i]);
    int values = 1, distinct = 1;
    for (int i = 0; i < THREADS; i++) {
        values &= (long)ret[i] == 1000 * i + 100;
        for (int j = 0; j < i; j++) distinct &= !pthread_equal(t[i], t[j]);
    }
    printf("join returned each thread's value (thread-local counters): %s\n", values ? "yes" : "no");
    printf("thread ids distinct: %s\n", distinct ? "yes" : "no");
    printf("main thread's thread-local counter untouched: %s\n", tls_count == 7 ? "yes" : "no");
    return 0;
}
