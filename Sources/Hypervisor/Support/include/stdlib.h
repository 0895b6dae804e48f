#ifndef HV_STDLIB_H
#define HV_STDLIB_H
#include <stddef.h>
unsigned long strtoul(const char *, char **, int);
#endif
