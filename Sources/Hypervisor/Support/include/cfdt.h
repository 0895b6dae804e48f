/* libfdt from Debian's libfdt-dev:arm64 (built with SIMD: call it only while no guest FP state is live). */
#include <libfdt.h>
