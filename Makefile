# drydock: a thin wrapper over the CMake build in build/.
#
#   make             install missing packages (deps), configure, build
#   make test        build, then run every test with ctest
#   make demo        build, then run the example unikernel: make demo ARGS="--clock virtual"
#   make bench       build, then run the benchmarks (bench/README.md)
#   make test-xen    build, then boot the xen images on real Xen under QEMU (docs/xen-rig.md):
#                    make test-xen XEN_RIG_ARGS="--only hello"; preparing needs root
#   make install     build, then install into PREFIX (default /usr/local):
#                    make install PREFIX=$HOME/.local (cmake/DrydockInstall.cmake)
#   make deb         a Debian package of the working tree with dpkg-buildpackage,
#                    in build/deb/ (needs dpkg-dev and debhelper)
#   make test-deb    make deb, then install it in a clean Debian 12 chroot and run
#                    hello and examples/ci-project there (root, debootstrap)
#   make deps        check (as root: install) the Debian packages
#   make clean       remove build/
#
# With CI=true in the environment, warnings are errors (DRYDOCK_WERROR=ON);
# `make WERROR=ON` does the same anywhere.

BUILD_DIR := build
JOBS      := $(shell nproc 2>/dev/null || echo 2)
ARGS      :=
XEN_RIG_ARGS :=
PREFIX    := /usr/local

# No "Entering directory" chatter from the make that cmake --build runs.
MAKEFLAGS += --no-print-directory

ifeq ($(CI),true)
WERROR := ON
else
WERROR := OFF
endif

.PHONY: all deps configure test demo bench test-xen install deb test-deb clean

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
	cmake --build $(BUILD_DIR) --target bench-udp-cost-run
	cmake --build $(BUILD_DIR) --target bench-netdev-run
	cmake --build $(BUILD_DIR) --target bench-ping-run
	cmake --build $(BUILD_DIR) --target bench-blk-run
	cmake --build $(BUILD_DIR) --target bench-tcp-run

test-xen: all
	XEN_RIG_IMAGES=$(abspath $(BUILD_DIR))/xen XEN_RIG_DIR=$(abspath $(BUILD_DIR))/xen-rig \
	  bash tools/xen-rig/run.sh $(XEN_RIG_ARGS)

install: all
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The package is built from a copy of the working tree (dpkg-buildpackage
# writes beside the source), so it lands in build/deb/.
deb:
	@command -v dpkg-buildpackage >/dev/null && dpkg-query -W debhelper >/dev/null 2>&1 || \
	  { echo "make deb: needs dpkg-dev and debhelper (apt-get install dpkg-dev debhelper)" >&2; exit 1; }
	rm -rf $(BUILD_DIR)/deb && mkdir -p $(BUILD_DIR)/deb/src
	tar --exclude=./$(BUILD_DIR) --exclude=./.git -cf - . | tar -xf - -C $(BUILD_DIR)/deb/src
	cd $(BUILD_DIR)/deb/src && dpkg-buildpackage -us -uc -b -j$(JOBS)
	@ls $(BUILD_DIR)/deb/*.deb

test-deb: deb
	bash tests/package/deb_chroot.sh $(abspath $(BUILD_DIR))/deb

clean:
	rm -rf $(BUILD_DIR)
