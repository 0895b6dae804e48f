// Exit status from main: returning 3 exits with 3, after atexit handlers (in reverse order of
// registration) have run and stdio buffers have been flushed.
#include <stdio.h>
#include <stdlib.h>
// expect-exit: 3

static void first(void) { printf("atexit: registered first, runs last\n"); }
static void second(void) { printf("atexit: registered second, runs first\n"); }

int main(void) {
    atexit(first);
    atexit(second);
    printf("returning 3 from main (this line is still buffered)\n");
    return 3;
}
