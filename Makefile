# Minos: the simulator (host Swift package) and its guests.
# `make run` and `make test` are all a newcomer needs; both install what is missing first.

SHELL := /bin/bash
BOARD ?= fvp
BUILD := $(CURDIR)/build
RELEASE_SIM := .build/release/sim
SWIFT_FLAGS ?=
# Regression units run at once (scripts/regress.py --jobs).
JOBS ?= $(shell nproc)

# Debian packages the project needs (host tools, libraries, oracles).
APT_PACKAGES := libfdt-dev libelf-dev device-tree-compiler cpio qemu-user qemu-system-arm python3 pkg-config bc libslirp-dev dosfstools mtools fdisk u-boot-tools gdb-multiarch python3-jsonschema python3-matplotlib gcc-aarch64-linux-gnu g++-aarch64-linux-gnu

.PHONY: all setup preflight build release run test images guests linux clean bench difftest hypervisor golden regress update-guests image flash timeline calibrate

all: build

## setup: install missing Debian packages and enable arm64 multiarch (idempotent, quick when done).
setup:
	@./scripts/setup.sh $(APT_PACKAGES)

## preflight: start every external tool the suites use; one line naming the missing package if not.
preflight: setup
	@./scripts/preflight.sh

build: setup
	swift build $(SWIFT_FLAGS)

release: setup
	swift build -c release $(SWIFT_FLAGS)

## images: bare-metal test guests (and, in later milestones, Debian kernel + busybox).
images: guests linux

guests: setup
	@$(MAKE) --no-print-directory -C images/guests BUILD=$(BUILD)/guests

linux: setup
	@$(MAKE) --no-print-directory -C images/linux BUILD=$(BUILD)/linux CACHE=$(CURDIR)/images/cache
	@$(MAKE) --no-print-directory -C images/linux -f vm.mk BUILD=$(BUILD)/linux CACHE=$(CURDIR)/images/cache

## hypervisor: Minos for BOARD (virt|virt-gicv2|fvp|espressobin|rpi3): build/<board>/minos.elf and minos.bin (Embedded Swift).
hypervisor: setup
	@$(MAKE) --no-print-directory -C Sources/Hypervisor BOARD=$(BOARD) BUILD=$(BUILD)

## image: the SD card a user flashes for BOARD (espressobin|rpi3; FIRMWARE_DIR= adds the Pi firmware): build/<board>/sdcard.img, Minos and the
## linux-pair guests, booted by the board's U-Boot through boot.scr.
image: release images hypervisor
	@./scripts/make-image.sh $(RELEASE_SIM) $(BUILD) $(BOARD)

## flash: write build/<board>/sdcard.img to DEVICE=/dev/sdX (refuses mounted, fixed or huge devices
## unless FORCE=1; asks before writing; verifies)
flash:
	@./scripts/flash.sh $(BUILD)/$(BOARD)/sdcard.img "$(DEVICE)"

## run: the default scenario on BOARD, interactively: Minos with two Linux VMs (linux-pair);
## Ctrl-] opens the Minos shell (vm console N), Ctrl-A X quits.
run: release images
	@./scripts/run-scenario.sh $(RELEASE_SIM) $(BUILD) $(BOARD) linux-pair

## test: every test: unit tests, then boot and bad-input tests against the release binary.
test: preflight release images hypervisor
	swift test $(SWIFT_FLAGS)
	swift build --product sim $(SWIFT_FLAGS)
	python3 scripts/interactive-check.py .build/debug/sim $(BUILD) fvp --default-flow
	python3 Tests/decoder-coverage/check.py --sim $(RELEASE_SIM)
	python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --seed 1 --count 20000
	python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --seed 2 --count 20000
	python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --fp --seed 1 --count 40000
	python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --fp --seed 2 --count 40000
	MINOS_ENGINE=interpret python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --seed 3 --count 10000
	MINOS_ENGINE=interpret python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --fp --seed 3 --count 20000
	python3 Tests/simd-oracle/simd_oracle.py --sim $(RELEASE_SIM)
	./Tests/busybox/run.sh $(RELEASE_SIM) images/cache/busybox
	$(RELEASE_SIM) fuzz-words --seed 1 --steps 10000000
	$(RELEASE_SIM) fuzz-words --seed 2 --steps 10000000
	python3 scripts/regress.py $(RELEASE_SIM) $(BUILD) --jobs $(JOBS)
	python3 Tests/regress/check_sharding.py $(RELEASE_SIM) $(BUILD)

## regress: every board x scenario headless -- boot/CLI checks, bare Linux, hypervisor + test guests,
## hypervisor + Linux VMs, EL2 checks next to QEMU, EL0 programs (Tests/user) under sim user next to
## qemu-aarch64 -- with golden-log comparison (rules in
## scripts/normalize-log.py); JUnit XML report in build/regress/junit.xml.
## JOBS= units at once (default: the machine's cores); SHARD=K/N runs the K-th of N slices (README: CI fan-out).
regress: release images hypervisor
	python3 scripts/regress.py $(RELEASE_SIM) $(BUILD) --jobs $(JOBS) $(if $(SHARD),--shard $(SHARD) --junit $(BUILD)/regress/junit-$(subst /,-of-,$(SHARD)).xml)

## golden: boot the Linux test configurations and the hypervisor scenarios and rewrite their golden logs
## (Tests/golden/*.log, images/scenarios/*/golden-*.log; normalized by scripts/normalize-log.py); review the git diff.
golden: release images hypervisor
	UPDATE_GOLDEN=1 ./scripts/linux-tests.sh $(RELEASE_SIM) $(BUILD)
	UPDATE_GOLDEN=1 ./scripts/hypervisor-tests.sh $(RELEASE_SIM) $(BUILD)

## update-guests: move the guest package pins (images/guest-packages) to the versions Debian's archive
## serves today, rebuild the images and rewrite the goldens; review the diff, commit pins and goldens together.
update-guests: setup
	./scripts/update-guests.sh images/guest-packages
	$(MAKE) --no-print-directory golden

## difftest: random integer programs under sim user and qemu-aarch64 (SEED, N to choose).
difftest: release
	python3 Tests/difftest/difftest.py --sim $(RELEASE_SIM) --seed $(or $(SEED),1) --count $(or $(N),20000)

## bench: host MIPS of fixed workloads, next to QEMU on the same ELF.
## calibrate: the --timing a53 microbenchmarks on rpi3 next to the published Cortex-A53 figures.
calibrate: release
	@$(MAKE) --no-print-directory -C images/calibrate BUILD=$(BUILD)/calibrate
	@python3 scripts/calibrate.py $(RELEASE_SIM) $(BUILD)/calibrate/calibrate-rpi3.elf

## timeline: the linux-pair scenario on sim virt with --timeline: build/timeline/linux-pair.json
## (Perfetto / chrome://tracing) checked against its schema, and its summary picture linux-pair.png.
timeline: release linux hypervisor
	@./scripts/timeline.sh $(RELEASE_SIM) $(BUILD)

bench: release linux hypervisor
	@swift build --product sim $(SWIFT_FLAGS) >/dev/null
	@$(MAKE) --no-print-directory -C images/bench BUILD=$(BUILD)/bench
	@./scripts/bench.sh $(RELEASE_SIM) $(BUILD)/bench images/cache/busybox $(BUILD)/linux $(BUILD)

clean:
	rm -rf .build build
