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
target_compile_options(drydock_guest_options INTERFACE -nostdinc
  "SHELL:-isystem ${DRYDOCK_SOURCE_DIR}/runtime/libc/include"
  "SHELL:-isystem ${DRYDOCK_GUEST_SYSROOT}"
  $<$<COMPILE_LANGUAGE:C>:-Werror=implicit-function-declaration>)
target_include_directories(drydock_guest_options INTERFACE
  ${DRYDOCK_SOURCE_DIR}/runtime/include ${DRYDOCK_SOURCE_DIR}/net/include)

# Host code: sim/, hypercall_shim/, traces/, tools/, tests.
add_library(drydock_host_options INTERFACE)
target_link_libraries(drydock_host_options INTERFACE drydock_common_options)
target_compile_definitions(drydock_host_options INTERFACE _GNU_SOURCE)
target_include_directories(drydock_host_options INTERFACE
  ${DRYDOCK_SOURCE_DIR} ${XEN_INCLUDE_DIR})

# The xen build: drydock_xen_options, the *_xen object libraries, and
# drydock_xen_add_unikernel().
include(${CMAKE_CURRENT_LIST_DIR}/DrydockXen.cmake)

# drydock_libc_functions(): what runtime/libc/include declares.
include(${DRYDOCK_SOURCE_DIR}/runtime/libc/functions.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/DrydockTrace.cmake) # drydock_add_trace_test()
set(DRYDOCK_CHECK_SYMBOLS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/DrydockCheckSymbols.cmake
    CACHE INTERNAL "")

# _drydock_check_app_symbols(NAME): before NAME links in the sim build, every
# symbol its own objects use must be defined by those objects, the runtime,
# the stack or runtime/libc's headers. The sim executable also carries the
# simulator and the host C library, so without this check a call of printf,
# strdup or rand would link here and fail only in the xen build.
function(_drydock_check_app_symbols name)
  drydock_libc_functions(libc)
  add_custom_command(TARGET ${name} PRE_LINK
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DNM=${CMAKE_NM}
            "-DAPP_OBJECTS=$<TARGET_OBJECTS:${name}>"
            "-DPROVIDER_OBJECTS=$<TARGET_OBJECTS:drydock_runtime>;$<TARGET_OBJECTS:drydock_net>"
            "-DLIBC_FUNCTIONS=${libc}"
            -P ${DRYDOCK_CHECK_SYMBOLS_SCRIPT}
    COMMENT "Checking that ${name} calls only what the unikernel runtime provides"
    VERBATIM)
endfunction()

# drydock_add_unikernel(NAME SOURCES file.c ... [OUTPUT_DIR dir])
#
# Builds the application sources against the runtime and links them with the
# simulated Xen into ${CMAKE_BINARY_DIR}/bin/NAME (or OUTPUT_DIR/NAME), an
# ordinary executable. With the xen build on (DRYDOCK_XEN, gcc on x86-64) it
# also builds the target NAME-xen: the PVH image
# ${CMAKE_BINARY_DIR}/xen/NAME.xen and its xl config
# ${CMAKE_BINARY_DIR}/xen/NAME.cfg (cmake/DrydockXen.cmake).
#
# The application may call only what the runtime, the stack and runtime/libc
# provide, in both builds: anything else (printf, strdup, rand) fails the
# sim build too, naming the function (_drydock_check_app_symbols).
function(drydock_add_unikernel name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIR" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "drydock_add_unikernel(${name}): no SOURCES given")
  endif()
  if(NOT arg_OUTPUT_DIR)
    set(arg_OUTPUT_DIR ${CMAKE_BINARY_DIR}/bin)
  endif()
  set(name_c ${CMAKE_CURRENT_BINARY_DIR}/${name}-uk-name.c)
  # gdb loads drydock's helpers (tools/gdb) for every unikernel: docs/debugging.md.
  cmake_path(APPEND DRYDOCK_SOURCE_DIR tools gdb drydock-gdb.py OUTPUT_VARIABLE gdb_script)
  string(CONCAT gdb_scripts "__asm__(\".pushsection .debug_gdb_scripts, \\\"MS\\\",@progbits,1\\n.byte 1\\n"
    ".asciz \\\"${gdb_script}\\\"\\n.popsection\");\n")
  file(CONFIGURE OUTPUT ${name_c} CONTENT
    "/* generated by drydock_add_unikernel */\nconst char uk_app_name[] = \"${name}\";\n${gdb_scripts}")
  add_executable(${name} ${arg_SOURCES} ${name_c})
  target_link_libraries(${name} PRIVATE drydock_guest_options drydock_runtime drydock_net
                        drydock_shim drydock_host)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${arg_OUTPUT_DIR})
  _drydock_check_app_symbols(${name})
  set_property(GLOBAL APPEND PROPERTY DRYDOCK_UNIKERNELS ${name})
  drydock_xen_add_unikernel(${name} NAME_SOURCE ${name_c} SOURCES ${arg_SOURCES})
endfunction()
