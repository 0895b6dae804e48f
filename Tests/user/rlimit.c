// Resource limits: getrlimit and prlimit64 succeed (soft <= hard); a lowered RLIMIT_NOFILE soft
// limit reads back through getrlimit and prlimit64 and is enforced (opens fail with EMFILE before
// fd 64); a soft limit above the hard one is EINVAL; prlimit64 can set and return the old limit at
// once; RLIMIT_STACK, RLIMIT_AS and RLIMIT_CORE read.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

struct rlimit64_ { unsigned long long cur, max; };

static long prlimit64_(int resource, const struct rlimit64_ *new_, struct rlimit64_ *old) {
    return syscall(SYS_prlimit64, 0, resource, new_, old);
}

static int sane(struct rlimit r) { return r.rlim_max == RLIM_INFINITY || r.rlim_cur <= r.rlim_max; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct rlimit r;
    int rc = getrlimit(RLIMIT_STACK, &r);
    printf("getrlimit(RLIMIT_STACK): %d, soft <= hard: %s, soft is at least 128 KiB: %s\n", rc, yes(sane(r)),
           yes(r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= 128 * 1024));
    rc = getrlimit(RLIMIT_AS, &r);
    printf("getrlimit(RLIMIT_AS): %d, soft <= hard: %s\n", rc, yes(sane(r)));
    rc = getrlimit(RLIMIT_CORE, &r);
    printf("getrlimit(RLIMIT_CORE): %d, soft <= hard: %s\n", rc, yes(sane(r)));

    struct rlimit64_ old;
    rc = prlimit64_(RLIMIT_NOFILE, NULL, &old);
    printf("prlimit64(RLIMIT_NOFILE) read: %d, soft <= hard: %s, hard at least 64: %s\n", rc,
           yes(old.max == RLIM_INFINITY || old.cur <= old.max), yes(old.max >= 64));

    struct rlimit64_ lowered = {64, old.max}, before;
    rc = prlimit64_(RLIMIT_NOFILE, &lowered, &before);
    printf("prlimit64 set soft 64 and read the old one at once: %d, old was the one read: %s\n", rc,
           yes(before.cur == old.cur && before.max == old.max));
    getrlimit(RLIMIT_NOFILE, &r);
    printf("getrlimit reads the new soft limit: %llu, hard unchanged: %s\n", (unsigned long long)r.rlim_cur, yes(r.rlim_max == old.max));
    printf("sysconf(_SC_OPEN_MAX): %ld\n", sysconf(_SC_OPEN_MAX));

    int highest = -1, err = 0, opened = 0;
    for (int i = 0; i < 100; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) { err = errno; break; }
        opened++;
        if (fd > highest) highest = fd;
    }
    printf("opens stop with EMFILE: %s, every fd below 64: %s, fd 63 was handed out: %s\n", yes(err == EMFILE), yes(highest < 64),
           yes(highest == 63));

    struct rlimit too_high = {r.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : r.rlim_max + 1, 100};
    rc = setrlimit(RLIMIT_NOFILE, &too_high);
    printf("soft above hard: %d %s\n", rc, rc == -1 && errno == EINVAL ? "EINVAL" : "other");

    struct rlimit cpu;
    getrlimit(RLIMIT_CPU, &cpu);
    struct rlimit cpu_set = {100000, cpu.rlim_max};
    setrlimit(RLIMIT_CPU, &cpu_set);
    getrlimit(RLIMIT_CPU, &cpu);
    printf("RLIMIT_CPU soft set to 100000 reads back: %llu\n", (unsigned long long)cpu.rlim_cur);
    return 0;
}
