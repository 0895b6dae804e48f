# The initramfs the Linux VMs under the hypervisor boot (images/scenarios/linux-*): busybox,
# the virtio modules (the generic kernel's: SD and FAT) and vm-init as /init, through the same build-initramfs.sh as the boot tests.
# Usage: make -C images/linux -f vm.mk BUILD=<abs dir> CACHE=<abs dir>   (after the main Makefile
# fetched the kernel into CACHE)  ->  $(BUILD)/vm-initramfs.cpio.gz
CACHE ?= $(abspath ../cache)
BUILD ?= $(abspath ../../build/linux)

all: $(BUILD)/vm-initramfs.cpio.gz $(BUILD)/vm-initramfs-generic.cpio.gz

$(BUILD)/vm-initramfs.cpio.gz: vm-init build-initramfs.sh $(CACHE)/fetched.stamp
	@mkdir -p $(BUILD)
	./build-initramfs.sh $(CACHE) vm-init $@

# For VMs running Debian's generic kernel (rpi3; the ESPRESSObin's host VM and its SD card).
$(BUILD)/vm-initramfs-generic.cpio.gz: vm-init build-initramfs.sh $(CACHE)/fetched.stamp $(CACHE)/generic.stamp
	@mkdir -p $(BUILD)
	./build-initramfs.sh $(CACHE) vm-init $@ $(CACHE)/modules-generic sd

.PHONY: all
