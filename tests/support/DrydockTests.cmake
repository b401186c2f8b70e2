# What drydock's tests share in CMake (included by tests/CMakeLists.txt).

# drydock_add_guest_test(NAME SOURCES file.c ... [ARGS arg ...] [TIMEOUT seconds])
#
# A CMocka test that runs inside a booted guest: NAME is a unikernel whose
# app_main runs the CMocka group, linked with the runtime, the stack, the
# hypercall shim, the process (sim/host) and the simulator. They come in as
# objects rather than targets, so that the runtime's -nostdinc stays off
# this host code; the test includes the runtime's and the stack's headers
# by their public names (<uk/...>, <net/...>) or by their path in the tree.
#
# Registers unit/NAME and its twin under memcheck, valgrind/NAME, both run as
#   NAME --clock virtual ARGS...
# with TIMEOUT (default 120 s). Further runs of the same binary can be added
# with add_test(... COMMAND NAME --clock virtual ...).
function(drydock_add_guest_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TIMEOUT" "SOURCES;ARGS")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "drydock_add_guest_test(${name}): no SOURCES given")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE drydock_host_options PkgConfig::CMOCKA
    drydock_test_peer
    $<TARGET_OBJECTS:drydock_runtime> $<TARGET_OBJECTS:drydock_net>
    $<TARGET_OBJECTS:drydock_shim> $<TARGET_OBJECTS:drydock_host> drydock_sim)
  target_include_directories(${name} PRIVATE
    ${DRYDOCK_SOURCE_DIR}/runtime/include ${DRYDOCK_SOURCE_DIR}/net/include)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME unit/${name} COMMAND ${name} --clock virtual ${arg_ARGS})
  add_test(NAME valgrind/${name}
    COMMAND ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
            -q $<TARGET_FILE:${name}> --clock virtual ${arg_ARGS})
  set_tests_properties(unit/${name} valgrind/${name} PROPERTIES TIMEOUT ${arg_TIMEOUT})
endfunction()
