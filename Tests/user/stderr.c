// Writing to stderr: unbuffered fprintf, perror with errno's message, strerror, a raw write(2)
// to fd 2, interleaved with stdout output (compared separately); exit status 0.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    printf("stdout: line 1\n");
    fprintf(stderr, "stderr: line 1 (fprintf)\n");
    if (open("/nonexistent/file", O_RDONLY) < 0) perror("open /nonexistent/file");
    errno = EACCES;
    fprintf(stderr, "strerror(EACCES): %s\n", strerror(EACCES));
    write(2, "stderr: raw write to fd 2\n", 26);
    printf("stdout: line 2\n");
    fprintf(stderr, "stderr: %d %s %.3f\n", 42, "formatted", 3.14159);
    dprintf(2, "stderr: dprintf to fd %d\n", 2);
    fputs("stderr: no newline at the end", stderr);
    return 0;
}
