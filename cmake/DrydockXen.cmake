# The xen build: every unikernel also as a PVH kernel image for Xen, built
# freestanding from the very runtime, net and application sources of the sim
# build (docs/architecture.md, "The only difference between the two builds").
#
# With DRYDOCK_XEN on and gcc on x86-64, drydock_add_unikernel(NAME ...) also
# makes the target NAME-xen:
#   ${CMAKE_BINARY_DIR}/xen/NAME.xen   the PVH image (ELF, loaded at 1 MiB)
#   ${CMAKE_BINARY_DIR}/xen/NAME.cfg   its xl.cfg: cd there, `xl create -c NAME.cfg`;
#                                      `drydock run NAME.cfg` runs bin/NAME with it
# Both are part of ALL (drydock_xen_add_unikernel, cmake/DrydockFunctions.cmake). The link is -nostdlib -static --no-undefined: code
# that needs anything from the host (libc, libgcc, the simulator) does not
# link.
#
# How: the runtime and net object libraries are cloned, once every
# directory of drydock has added its sources (a deferred call at the end of
# drydock's top directory), into drydock_runtime_xen and drydock_net_xen with
# runtime/platform/sim swapped for runtime/platform/xen, plus
# drydock_libc_xen (runtime/libc/sources.cmake, which the sim build takes
# from the host libc instead).

option(DRYDOCK_XEN "Also build every unikernel as a PVH image for Xen (build/xen/NAME.xen)" ON)

# Cached like DRYDOCK_SOURCE_DIR: the functions below also run in the scope
# of a user's project, which does not see this directory's variables.
set(DRYDOCK_XEN_PLATFORM_DIR ${DRYDOCK_SOURCE_DIR}/runtime/platform/xen CACHE INTERNAL "")
set(DRYDOCK_XEN_LINKER_SCRIPT ${DRYDOCK_XEN_PLATFORM_DIR}/xen.ld CACHE INTERNAL "")
set(DRYDOCK_XEN_OUTPUT_DIR ${CMAKE_BINARY_DIR}/xen CACHE INTERNAL "")

# Whether the xen build happens, and why not: global, because
# drydock_add_unikernel is also called from the scope of a user's project.
set(_drydock_xen_why_not "")
if(NOT DRYDOCK_XEN)
  set(_drydock_xen_why_not "DRYDOCK_XEN is OFF")
elseif(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
  set(_drydock_xen_why_not
      "the xen build needs gcc, and the C compiler is ${CMAKE_C_COMPILER_ID}")
elseif(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(_drydock_xen_why_not
      "the xen build needs an x86-64 host, and this is ${CMAKE_SYSTEM_PROCESSOR}")
endif()
if(_drydock_xen_why_not)
  message(STATUS "drydock: no PVH images for Xen: ${_drydock_xen_why_not}")
  set_property(GLOBAL PROPERTY DRYDOCK_XEN_ENABLED FALSE)
else()
  set_property(GLOBAL PROPERTY DRYDOCK_XEN_ENABLED TRUE)
endif()
set_property(GLOBAL PROPERTY DRYDOCK_XEN_WHY_NOT "${_drydock_xen_why_not}")
unset(_drydock_xen_why_not)

# Compile options of guest code in the xen build, on top of the guest options
# (-nostdinc, the libc subset, warnings, -g). -ffreestanding implies
# -fno-builtin for library functions by name (the __builtin_* remain);
# memcpy and friends, which gcc may still emit calls to, come from
# runtime/libc. The image runs identity mapped below 4 GiB, so the default
# -mcmodel=small is right; no PIC, no red zone (interrupts and exceptions
# push onto the current stack), no stack protector (there is no
# __stack_chk_guard), no unwind tables.
add_library(drydock_xen_options INTERFACE)
target_link_libraries(drydock_xen_options INTERFACE drydock_guest_options)
target_compile_options(drydock_xen_options INTERFACE
  -ffreestanding -fno-pic -fno-pie -mno-red-zone -fno-stack-protector
  -fno-asynchronous-unwind-tables -fno-unwind-tables)
target_link_options(drydock_xen_options INTERFACE
  -nostdlib -static -no-pie
  -Wl,--no-undefined
  "-Wl,-T,$<BUILD_INTERFACE:${DRYDOCK_XEN_LINKER_SCRIPT}>$<INSTALL_INTERFACE:$<INSTALL_PREFIX>/${CMAKE_INSTALL_LIBDIR}/drydock/xen.ld>"
  -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none)

# _drydock_xen_clone(SIM_TARGET XEN_TARGET): an object library compiling
# SIM_TARGET's sources for xen, with its include directories, minus
# runtime/platform/sim.
function(_drydock_xen_clone sim xen)
  get_target_property(sources ${sim} SOURCES)
  get_target_property(dir ${sim} SOURCE_DIR)
  get_target_property(includes ${sim} INCLUDE_DIRECTORIES)
  set(out "")
  foreach(s IN LISTS sources)
    cmake_path(ABSOLUTE_PATH s BASE_DIRECTORY ${dir} NORMALIZE OUTPUT_VARIABLE abs)
    if(NOT abs MATCHES "/runtime/platform/sim/")
      list(APPEND out ${abs})
    endif()
  endforeach()
  add_library(${xen} OBJECT ${out})
  target_link_libraries(${xen} PUBLIC drydock_xen_options)
  if(includes)
    target_include_directories(${xen} PRIVATE ${includes})
  endif()
endfunction()

# One line per target: its source directory, then its sources, '|'-separated.
# tests/xen compares the sim and the xen lists.
function(_drydock_xen_write_source_list file)
  set(content "")
  foreach(t IN LISTS ARGN)
    string(APPEND content
      "$<TARGET_PROPERTY:${t},SOURCE_DIR>|$<JOIN:$<TARGET_PROPERTY:${t},SOURCES>,|>\n")
  endforeach()
  file(GENERATE OUTPUT ${file} CONTENT "${content}")
endfunction()

# Runs at the end of drydock's top directory, when runtime/ and net/ have
# all their sources.
function(_drydock_xen_add_objects)
  _drydock_xen_clone(drydock_runtime drydock_runtime_xen)
  target_sources(drydock_runtime_xen PRIVATE
    ${DRYDOCK_XEN_PLATFORM_DIR}/debugcon.c
    ${DRYDOCK_XEN_PLATFORM_DIR}/entry.S
    ${DRYDOCK_XEN_PLATFORM_DIR}/hypercall.c
    ${DRYDOCK_XEN_PLATFORM_DIR}/platform.c
    ${DRYDOCK_XEN_PLATFORM_DIR}/start.c
    ${DRYDOCK_XEN_PLATFORM_DIR}/traps.S
    ${DRYDOCK_XEN_PLATFORM_DIR}/traps.c)
  _drydock_xen_clone(drydock_net drydock_net_xen)

  # The freestanding libc (runtime/libc/sources.cmake); in the sim build the
  # host's libc stands in. -fno-tree-loop-distribute-patterns: gcc must not
  # turn memset's own loop into a call to memset (string.c also says so
  # function by function).
  include(${DRYDOCK_SOURCE_DIR}/runtime/libc/sources.cmake)
  list(TRANSFORM DRYDOCK_LIBC_SOURCES PREPEND ${DRYDOCK_SOURCE_DIR}/runtime/libc/)
  add_library(drydock_libc_xen OBJECT ${DRYDOCK_LIBC_SOURCES})
  target_link_libraries(drydock_libc_xen PUBLIC drydock_xen_options)
  target_compile_options(drydock_libc_xen PRIVATE -fno-tree-loop-distribute-patterns)

  get_property(names GLOBAL PROPERTY DRYDOCK_UNIKERNELS)
  set(sim_targets drydock_runtime drydock_net)
  set(xen_targets drydock_runtime_xen drydock_net_xen)
  foreach(n IN LISTS names)
    list(APPEND sim_targets ${n})
    list(APPEND xen_targets ${n}-xen)
  endforeach()
  list(APPEND xen_targets drydock_libc_xen)
  _drydock_xen_write_source_list(${DRYDOCK_XEN_OUTPUT_DIR}/sources-sim.txt ${sim_targets})
  _drydock_xen_write_source_list(${DRYDOCK_XEN_OUTPUT_DIR}/sources-xen.txt ${xen_targets})
endfunction()

get_property(_drydock_xen_enabled GLOBAL PROPERTY DRYDOCK_XEN_ENABLED)
if(_drydock_xen_enabled)
  cmake_language(DEFER CALL _drydock_xen_add_objects)
endif()
unset(_drydock_xen_enabled)
