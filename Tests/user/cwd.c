// getcwd/chdir/fchdir: the starting directory is absolute; chdir to "/" and then relative names
// moves around as getcwd reports; ".." at "/" stays; a missing directory is ENOENT and a file
// ENOTDIR (the directory unchanged); a too-small getcwd buffer is ERANGE; getcwd(NULL, 0)
// allocates; fchdir; a directory made, entered, and removed after leaving it.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static void show(const char *what) {
    char buf[PATH_MAX];
    char *r = getcwd(buf, sizeof buf);
    printf("%s: getcwd %s\n", what, r ? buf : "failed");
}

static const char *err(int r) {
    if (r == 0) return "0";
    return errno == ENOENT ? "ENOENT" : errno == ENOTDIR ? "ENOTDIR" : errno == ERANGE ? "ERANGE" : "other";
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    char start[PATH_MAX];
    printf("starting directory is absolute: %s\n", yes(getcwd(start, sizeof start) && start[0] == '/'));

    // A directory made in the starting (fresh, writable) directory, entered and left.
    printf("mkdir sub.dir: %s\n", err(mkdir("sub.dir", 0755)));
    printf("chdir sub.dir: %s\n", err(chdir("sub.dir")));
    char inside[PATH_MAX];
    getcwd(inside, sizeof inside);
    printf("getcwd is the start plus /sub.dir: %s\n",
           yes(strncmp(inside, start, strlen(start)) == 0 && strcmp(inside + strlen(start), "/sub.dir") == 0));
    printf("chdir ..: %s\n", err(chdir("..")));
    getcwd(inside, sizeof inside);
    printf("back at the start: %s\n", yes(strcmp(inside, start) == 0));
    printf("rmdir sub.dir: %s\n", err(rmdir("sub.dir")));

    printf("chdir /: %s\n", err(chdir("/")));
    show("after chdir /");
    printf("chdir usr: %s\n", err(chdir("usr")));
    show("after chdir usr");
    printf("chdir lib: %s\n", err(chdir("lib")));
    show("after chdir lib");
    printf("chdir ../..: %s\n", err(chdir("../..")));
    show("after chdir ../..");
    printf("chdir .. at /: %s\n", err(chdir("..")));
    show("after chdir .. at /");

    int r = chdir("/nonexistent-dir");
    printf("chdir /nonexistent-dir: %s\n", err(r));
    r = chdir("/etc/passwd");
    printf("chdir /etc/passwd: %s\n", err(r));
    show("unchanged");

    chdir("/usr");
    char tiny[3];
    char *p = getcwd(tiny, sizeof tiny);
    printf("getcwd into 3 bytes at /usr: %s\n", p ? "fit?" : err(-1));
    char *dyn = getcwd(NULL, 0);
    printf("getcwd(NULL, 0): %s\n", dyn ? dyn : "failed");
    free(dyn);

    int fd = open("/usr/lib", O_RDONLY | O_DIRECTORY);
    chdir("/");
    printf("fchdir to /usr/lib: %s\n", err(fchdir(fd)));
    show("after fchdir");
    close(fd);

    // Relative opens follow the current directory.
    chdir("/etc");
    printf("relative open of passwd from /etc: %s\n", yes(open("passwd", O_RDONLY) >= 0));
    chdir(start);
    return 0;
}
