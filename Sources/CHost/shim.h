/* Host (Linux/glibc) interfaces that Swift's Glibc module does not export; used by `sim user`. */
#include <sys/vfs.h>
#include <sys/signalfd.h>
int pipe2(int pipefd[2], int flags);
