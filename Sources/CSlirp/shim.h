/* Debian's libslirp-dev: user-mode TCP/IP (DHCP, DNS, NAT, host port forwarding) for virtio-net.
 * Its pkg-config file requires glib-2.0 for no reason the API needs, so no pkgConfig here. */
#include <slirp/libslirp.h>
