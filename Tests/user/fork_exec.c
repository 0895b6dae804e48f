#define _GNU_SOURCE
// fork, execve and waitpid: a forked child's exit status (and its copy of memory being its own),
// the program re-executing itself (argv[0]) with an argument selecting a child mode: its
// arguments and environment arrive, its exit status comes back through waitpid, file descriptors
// survive execve unless O_CLOEXEC, stdout redirected to a pipe is read by the parent; children
// killed by a signal (SIGTERM from the parent, SIGUSR1 raised by itself with the default action)
// give WIFSIGNALED/WTERMSIG; WNOHANG on a running child returns 0; execve of a missing file is
// ENOENT; posix_spawn of itself; wait with no children is ECHILD.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *yes(int c) { return c ? "yes" : "no"; }

static void describe(const char *what, int status) {
    if (WIFEXITED(status)) printf("%s: exited with %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else printf("%s: other status\n", what);
}

// The modes the program runs in when it re-executes itself.
static int child_mode(int argc, char **argv) {
    const char *mode = argv[1];
    if (strcmp(mode, "child-exit") == 0) {
        printf("child: argc %d, args:", argc);
        for (int i = 2; i < argc; i++) printf(" [%s]", argv[i]);
        const char *mark = getenv("USER_TEST_MARK");
        int entries = 0;
        while (environ && environ[entries]) entries++;
        printf(", USER_TEST_MARK=%s, environment entries %d\n", mark ? mark : "(unset)", entries);
        return atoi(argv[2]);
    }
    if (strcmp(mode, "child-fds") == 0) {
        int keep = atoi(argv[2]), cloexec = atoi(argv[3]);
        int kept = fcntl(keep, F_GETFD) != -1;
        int closed = fcntl(cloexec, F_GETFD) == -1 && errno == EBADF;
        printf("child: inherited fd open: %s, O_CLOEXEC fd closed: %s, ppid is the parent: %s\n", yes(kept), yes(closed),
               yes(getppid() == atoi(argv[4])));
        write(keep, "via inherited fd", 16);
        return 0;
    }
    if (strcmp(mode, "child-wait") == 0) {
        for (;;) pause();
    }
    if (strcmp(mode, "child-raise") == 0) {
        raise(SIGUSR1);
        return 99;
    }
    if (strcmp(mode, "child-spawned") == 0) {
        printf("spawned child running\n");
        return 12;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}

static pid_t spawn_self(char *self, char *const args[], char *const env[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(self, args, env);
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    if (argc > 1) return child_mode(argc, argv);
    char *self = argv[0];
    int status;

    // A plain fork: the child's memory is its own.
    static int shared_looking = 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        shared_looking = 2;
        _exit(shared_looking + 3);
    }
    printf("fork returned a child: %s\n", yes(pid > 0));
    printf("waitpid returned the child: %s\n", yes(waitpid(pid, &status, 0) == pid));
    describe("forked child", status);
    printf("parent's copy unchanged: %s\n", yes(shared_looking == 1));

    // execve of itself with arguments and a new environment.
    char *args[] = {self, "child-exit", "7", "two words", "", NULL};
    char *env[] = {"USER_TEST_MARK=hello", "OTHER=1", NULL};
    pid = spawn_self(self, args, env);
    waitpid(pid, &status, 0);
    describe("exec'd child", status);

    // File descriptors across execve, and the child's stdout into a pipe.
    int keep[2], cloexec[2], out[2];
    pipe(keep);
    pipe2(cloexec, O_CLOEXEC);
    pipe(out);
    char a1[16], a2[16], a3[16];
    snprintf(a1, sizeof a1, "%d", keep[1]);
    snprintf(a2, sizeof a2, "%d", cloexec[1]);
    snprintf(a3, sizeof a3, "%d", (int)getpid());
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        char *fargs[] = {self, "child-fds", a1, a2, a3, NULL};
        execve(self, fargs, environ);
        _exit(127);
    }
    close(out[1]);
    close(keep[1]);
    char buf[256];
    ssize_t n, total = 0;
    while ((n = read(out[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    waitpid(pid, &status, 0);
    printf("read from the child's stdout: %s", buf);
    n = read(keep[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("read through the inherited fd: %s\n", buf);
    describe("fd child", status);

    // Killed by a signal from the parent, after WNOHANG saw it running.
    char *wargs[] = {self, "child-wait", NULL};
    pid = spawn_self(self, wargs, environ);
    printf("WNOHANG on a running child: %d\n", (int)waitpid(pid, &status, WNOHANG));
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    describe("child sent SIGTERM", status);

    pid = spawn_self(self, wargs, environ);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    describe("child sent SIGKILL", status);

    char *rargs[] = {self, "child-raise", NULL};
    pid = spawn_self(self, rargs, environ);
    waitpid(pid, &status, 0);
    describe("child raising SIGUSR1", status);

    // execve of a missing file fails in the child, which reports errno as its status.
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *margs[] = {"/nonexistent/program", NULL};
        execve(margs[0], margs, environ);
        _exit(errno == ENOENT ? 40 : 41);
    }
    waitpid(pid, &status, 0);
    describe("child exec'ing a missing file (40 = ENOENT)", status);

    // posix_spawn.
    char *sargs[] = {self, "child-spawned", NULL};
    fflush(stdout);
    int r = posix_spawn(&pid, self, NULL, NULL, sargs, environ);
    printf("posix_spawn: %d\n", r);
    fflush(stdout);
    waitpid(pid, &status, 0);
    describe("spawned child", status);

    r = wait(&status);
    printf("wait with no children: %d %s\n", r, r == -1 && errno == ECHILD ? "ECHILD" : "other");
    return 0;
}
