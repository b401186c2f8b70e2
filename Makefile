# drydock: a thin wrapper over the CMake build in build/.
#
#   make             install missing packages (deps), configure, build
#   make test        build, then run every test with ctest
#   make demo        build, then run the example unikernel: make demo ARGS="--clock virtual"
#   make bench       build, then run the benchmarks (bench/README.md)
#   make test-xen    build, then boot the xen images on real Xen under QEMU (docs/xen-rig.md):
#                    make test-xen XEN_RIG_ARGS="--only hello"; preparing needs root
#   make deps        check (as root: install) the Debian packages
#   make clean       remove build/
#
# With CI=true in the environment, warnings are errors (DRYDOCK_WERROR=ON);
# `make WERROR=ON` does the same anywhere.

BUILD_DIR := build
JOBS      := $(shell nproc 2>/dev/null || echo 2)
ARGS      :=
XEN_RIG_ARGS :=

# No "Entering directory" chatter from the make that cmake --build runs.
MAKEFLAGS += --no-print-directory

ifeq ($(CI),true)
WERROR := ON
else
WERROR := OFF
endif

.PHONY: all deps configure test demo bench test-xen clean

all: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

deps:
	@bash tools/deps.sh

# Re-run every time: cheap, and it picks up a change of WERROR.
configure: deps
	@cmake -S . -B $(BUILD_DIR) --log-level=WARNING -DDRYDOCK_WERROR=$(WERROR)

test: all
	ctest --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error -j2 --timeout 300

demo: all
	$(BUILD_DIR)/bin/hello $(ARGS)

bench: all
	cmake --build $(BUILD_DIR) --target bench-boot-run
	cmake --build $(BUILD_DIR) --target bench-xenstore-run
	cmake --build $(BUILD_DIR) --target bench-netdev-run
	cmake --build $(BUILD_DIR) --target bench-ping-run
	cmake --build $(BUILD_DIR) --target bench-blk-run
	cmake --build $(BUILD_DIR) --target bench-tcp-run

test-xen: all
	XEN_RIG_IMAGES=$(abspath $(BUILD_DIR))/xen XEN_RIG_DIR=$(abspath $(BUILD_DIR))/xen-rig \
	  bash tools/xen-rig/run.sh $(XEN_RIG_ARGS)

clean:
	rm -rf $(BUILD_DIR)
