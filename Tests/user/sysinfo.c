// sysinfo succeeds with sane numbers (mem_unit at least 1, some RAM, free RAM at most total,
// at least one process, loads non-negative); sysconf reports processors online and the page size.
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    struct sysinfo si;
    printf("sysinfo: %d\n", sysinfo(&si));
    printf("mem_unit at least 1: %s\n", yes(si.mem_unit >= 1));
    printf("totalram > 0: %s, freeram <= totalram: %s\n", yes(si.totalram > 0), yes(si.freeram <= si.totalram));
    printf("procs >= 1: %s, uptime >= 0: %s\n", yes(si.procs >= 1), yes(si.uptime >= 0));
    printf("sysconf(_SC_NPROCESSORS_ONLN) >= 1: %s\n", yes(sysconf(_SC_NPROCESSORS_ONLN) >= 1));
    printf("sysconf(_SC_PAGESIZE): %ld\n", sysconf(_SC_PAGESIZE));
    printf("get_nprocs >= 1: %s\n", yes(get_nprocs() >= 1));
    return 0;
}
