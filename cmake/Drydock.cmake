# drydock's build rules: the guest and host compile options, and
# drydock_add_unikernel(), the one way an application becomes a unikernel.
#
# A project outside this repository uses them with
#   add_subdirectory(path/to/drydock ${CMAKE_BINARY_DIR}/drydock)
#   drydock_add_unikernel(myapp SOURCES main.c)

set(DRYDOCK_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/.. CACHE INTERNAL "")
cmake_path(NORMAL_PATH DRYDOCK_SOURCE_DIR)
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
include(GNUInstallDirs)

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(LIBPCAP REQUIRED IMPORTED_TARGET libpcap)
pkg_check_modules(SLIRP REQUIRED IMPORTED_TARGET slirp)

# The Xen public headers (libxen-dev). Guest code sees them and nothing else
# of the host's include tree.
find_path(XEN_INCLUDE_DIR xen/arch-x86/hvm/start_info.h)
find_path(VALGRIND_INCLUDE_DIR valgrind/memcheck.h)
if(NOT XEN_INCLUDE_DIR)
  message(FATAL_ERROR "Xen public headers not found: run 'make deps' (package libxen-dev)")
endif()
if(NOT VALGRIND_INCLUDE_DIR)
  message(FATAL_ERROR "valgrind/memcheck.h not found: run 'make deps' (package valgrind)")
endif()

# A sysroot for guest code holding only xen/ and valgrind/, so that -nostdinc
# keeps every other host header out of runtime/, net/ and applications.
set(DRYDOCK_GUEST_SYSROOT ${CMAKE_BINARY_DIR}/drydock-guest-include)
file(MAKE_DIRECTORY ${DRYDOCK_GUEST_SYSROOT})
file(CREATE_LINK ${XEN_INCLUDE_DIR}/xen ${DRYDOCK_GUEST_SYSROOT}/xen SYMBOLIC)
file(CREATE_LINK ${VALGRIND_INCLUDE_DIR}/valgrind ${DRYDOCK_GUEST_SYSROOT}/valgrind SYMBOLIC)

set(DRYDOCK_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wno-unused-parameter)
if(DRYDOCK_WERROR)
  list(APPEND DRYDOCK_WARNINGS -Werror)
endif()

# Options every drydock C file shares: Xen interface version, warnings, and
# debug info always (gdb is a first-class way to use drydock).
add_library(drydock_common_options INTERFACE)
target_compile_definitions(drydock_common_options INTERFACE
  __XEN_INTERFACE_VERSION__=0x00040e00)
# Xen's public headers use uint32_t and friends without including
# <stdint.h> themselves; every includer must have it first.
target_compile_options(drydock_common_options INTERFACE
  $<$<COMPILE_LANGUAGE:C>:${DRYDOCK_WARNINGS} -includestdint.h>
  -g -fno-omit-frame-pointer)

# Guest code: runtime/, net/, applications. Freestanding headers only; a call
# of a function no header declares (printf without <stdio.h> declaring it) is
# an error at once, naming the function, in both builds.
add_library(drydock_guest_options INTERFACE)
target_link_libraries(drydock_guest_options INTERFACE drydock_common_options)
# SHELL: keeps CMake from merging the two -isystem flags into one.
# Installed (cmake/DrydockInstall.cmake), the same headers are under
# include/drydock: libc, guest-sysroot, runtime, net.
set(_drydock_inc $<INSTALL_PREFIX>/${CMAKE_INSTALL_INCLUDEDIR}/drydock)
target_compile_options(drydock_guest_options INTERFACE -nostdinc
  "SHELL:-isystem $<BUILD_INTERFACE:${DRYDOCK_SOURCE_DIR}/runtime/libc/include>$<INSTALL_INTERFACE:${_drydock_inc}/libc>"
  "SHELL:-isystem $<BUILD_INTERFACE:${DRYDOCK_GUEST_SYSROOT}>$<INSTALL_INTERFACE:${_drydock_inc}/guest-sysroot>"
  $<$<COMPILE_LANGUAGE:C>:-Werror=implicit-function-declaration>)
target_include_directories(drydock_guest_options INTERFACE
  $<BUILD_INTERFACE:${DRYDOCK_SOURCE_DIR}/runtime/include>
  $<BUILD_INTERFACE:${DRYDOCK_SOURCE_DIR}/net/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/drydock/runtime>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/drydock/net>)
unset(_drydock_inc)

# Host code: sim/, hypercall_shim/, traces/, tools/, tests.
add_library(drydock_host_options INTERFACE)
target_link_libraries(drydock_host_options INTERFACE drydock_common_options)
target_compile_definitions(drydock_host_options INTERFACE _GNU_SOURCE)
target_include_directories(drydock_host_options INTERFACE
  $<BUILD_INTERFACE:${DRYDOCK_SOURCE_DIR}> ${XEN_INCLUDE_DIR})

# The xen build: drydock_xen_options, the *_xen object libraries, and
# drydock_xen_add_unikernel().
include(${CMAKE_CURRENT_LIST_DIR}/DrydockXen.cmake)

# drydock_libc_functions(): what runtime/libc/include declares.
include(${DRYDOCK_SOURCE_DIR}/runtime/libc/functions.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/DrydockTrace.cmake) # drydock_add_trace_test()
set(DRYDOCK_CHECK_SYMBOLS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/DrydockCheckSymbols.cmake
    CACHE INTERNAL "")

# gdb loads drydock's helpers (tools/gdb) for every unikernel: docs/debugging.md.
cmake_path(APPEND DRYDOCK_SOURCE_DIR tools gdb drydock-gdb.py OUTPUT_VARIABLE _drydock_gdb_script)
set(DRYDOCK_GDB_SCRIPT ${_drydock_gdb_script} CACHE INTERNAL "")
# drydock_add_unikernel() and the functions it calls: the same file serves
# this tree and an installed drydock (cmake/drydockConfig.cmake.in).
include(${CMAKE_CURRENT_LIST_DIR}/DrydockFunctions.cmake)
