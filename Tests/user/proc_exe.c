// /proc/self/exe: readlink gives an absolute path ending with "/proc_exe" (this program), returns
// its length without NUL-terminating; a short buffer truncates to its size; readlinkat with
// AT_FDCWD agrees; opening it reads this program's ELF header; realpath(argv[0]) is the same path.
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    (void)argc;
    char buf[PATH_MAX];
    memset(buf, 'Z', sizeof buf);
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
    int terminated = n >= 0 && n < (ssize_t)sizeof buf && buf[n] == 'Z';
    printf("readlink returned a length: %s, left the byte after it alone: %s\n", yes(n > 0), yes(terminated));
    buf[n > 0 ? n : 0] = 0;
    const char *suffix = "/proc_exe";
    size_t len = strlen(buf);
    printf("absolute: %s, ends with %s: %s\n", yes(buf[0] == '/'), suffix,
           yes(len >= strlen(suffix) && strcmp(buf + len - strlen(suffix), suffix) == 0));

    char small[4];
    ssize_t m = readlink("/proc/self/exe", small, sizeof small);
    printf("into 4 bytes: %zd, the first 4 bytes of the path: %s\n", m, yes(m == 4 && memcmp(small, buf, 4) == 0));

    char at[PATH_MAX];
    ssize_t k = readlinkat(AT_FDCWD, "/proc/self/exe", at, sizeof at);
    printf("readlinkat agrees: %s\n", yes(k == n && memcmp(at, buf, n) == 0));

    char real[PATH_MAX];
    printf("realpath(argv[0]) is the same path: %s\n", yes(realpath(argv[0], real) && strcmp(real, buf) == 0));

    int fd = open("/proc/self/exe", O_RDONLY);
    unsigned char h[20];
    printf("open and read its ELF header: %s, AArch64: %s\n", yes(fd >= 0 && read(fd, h, 20) == 20 && memcmp(h, "\177ELF", 4) == 0),
           yes(h[18] == 183 && h[19] == 0));
    return 0;
}
