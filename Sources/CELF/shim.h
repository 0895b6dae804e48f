/* Debian's libelf-dev: ELF parsing for the kernel/guest loader. */
#include <libelf.h>
#include <gelf.h>
