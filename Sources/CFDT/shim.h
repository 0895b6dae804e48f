/* Debian's libfdt-dev: device-tree creation, parsing and patching. */
#include <libfdt.h>
