// getrandom returns the requested length (16, 256, 0 bytes; with GRND_NONBLOCK too), two draws
// differ and are not all zeros; an unknown flag is EINVAL; /dev/urandom reads; the kernel's
// 16 AT_RANDOM bytes are present, and AT_PAGESZ is 4096.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static int all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    unsigned char a[256], b[256];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    printf("getrandom 16 bytes: %zd\n", getrandom(a, 16, 0));
    printf("getrandom 256 bytes: %zd\n", getrandom(b, 256, 0));
    printf("getrandom 0 bytes: %zd\n", getrandom(a + 100, 0, 0));
    printf("GRND_NONBLOCK 32 bytes: %zd\n", getrandom(a + 32, 32, GRND_NONBLOCK));
    printf("not all zeros: %s, two draws differ: %s, bytes past the 16 untouched: %s\n", yes(!all_zero(a, 16)),
           yes(memcmp(a, b, 16) != 0), yes(all_zero(a + 16, 16)));
    ssize_t r = getrandom(a, 16, 0x40);
    printf("an unknown flag: %zd %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "other");
    int fd = open("/dev/urandom", O_RDONLY);
    printf("/dev/urandom read of 64 bytes: %zd\n", read(fd, b, 64));
    close(fd);
    unsigned char *at_random = (unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM present: %s, not all zeros: %s\n", yes(at_random != NULL), yes(at_random && !all_zero(at_random, 16)));
    printf("AT_PAGESZ: %lu\n", getauxval(AT_PAGESZ));
    return 0;
}
