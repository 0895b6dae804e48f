// uname: sysname "Linux", machine "aarch64", a release like "N.M...", every field NUL-terminated
// within its 65 bytes; personality(0xffffffff) reads the persona (PER_LINUX).
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct utsname u;
    memset(&u, 0x55, sizeof u);
    printf("uname: %d\n", uname(&u));
    printf("sysname: %s\n", u.sysname);
    printf("machine: %s\n", u.machine);
    int major = 0, minor = 0;
    printf("release looks like N.M: %s\n", yes(sscanf(u.release, "%d.%d", &major, &minor) == 2 && major >= 3));
    printf("fields NUL-terminated: %s\n", yes(memchr(u.sysname, 0, sizeof u.sysname) && memchr(u.nodename, 0, sizeof u.nodename) &&
                                              memchr(u.release, 0, sizeof u.release) && memchr(u.version, 0, sizeof u.version) &&
                                              memchr(u.machine, 0, sizeof u.machine)));
    printf("personality: PER_LINUX: %s\n", yes((personality(0xffffffff) & PER_MASK) == PER_LINUX));
    return 0;
}
