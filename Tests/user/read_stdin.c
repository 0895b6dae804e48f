// Reading stdin (the runner feeds read_stdin.stdin): raw read(2) in small chunks until EOF, then
// read at EOF again returns 0; the bytes, lines and words counted, an FNV-1a checksum, each line
// echoed upper-cased, and the numbers on the "numbers:" line summed. Arguments are echoed too.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
// args: first "second arg" third

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    for (int i = 1; i < argc; i++) printf("arg %d: [%s]\n", i, argv[i]);
    static char data[65536];
    size_t len = 0;
    int reads = 0;
    ssize_t n;
    while ((n = read(0, data + len, 7)) > 0) {
        len += n;
        reads++;
    }
    printf("last read returned %zd; again at EOF: %zd\n", n, read(0, data, 1));
    unsigned lines = 0, words = 0, inword = 0;
    unsigned fnv = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = data[i];
        fnv = (fnv ^ c) * 16777619u;
        if (c == '\n') lines++;
        if (isspace(c)) inword = 0;
        else if (!inword) { inword = 1; words++; }
    }
    printf("bytes %zu, lines %u, words %u, fnv1a %08x, more than one read: %s\n", len, lines, words, fnv, reads > 1 ? "yes" : "no");
    char *save, *line = strtok_r(data, "\n", &save);
    long sum = 0;
    while (line) {
        for (char *p = line; *p; p++) *p = toupper((unsigned char)*p);
        printf("| %s\n", line);
        if (strncmp(line, "NUMBERS:", 8) == 0) {
            char *p = line + 8, *end;
            for (long v = strtol(p, &end, 10); end != p; v = strtol(p, &end, 10)) {
                sum += v;
                p = end;
            }
        }
        line = strtok_r(NULL, "\n", &save);
    }
    printf("sum of the numbers: %ld\n", sum);
    return 0;
}
