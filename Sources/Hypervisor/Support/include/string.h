/* Freestanding declarations of the few C library routines libfdt and the
   Swift runtime use; definitions in Support/runtime.c. */
#ifndef HV_STRING_H
#define HV_STRING_H
#include <stddef.h>
void *memset(void *, int, size_t);
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
size_t strlen(const char *);
size_t strnlen(const char *, size_t);
char *strchr(const char *, int);
char *strrchr(const char *, int);
#endif
