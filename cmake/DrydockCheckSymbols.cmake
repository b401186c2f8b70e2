# Run by drydock_add_unikernel (cmake/Drydock.cmake) before an application
# links in the sim build:
#   cmake -DNAME=app -DNM=nm -DAPP_OBJECTS=a.o;b.o -DPROVIDER_OBJECTS=...
#         -DLIBC_FUNCTIONS=memcpy;... -P DrydockCheckSymbols.cmake
# Fails, naming each function and the source that calls it, when the
# application's objects use a symbol that neither they, nor the runtime and
# the stack (PROVIDER_OBJECTS), nor runtime/libc's headers (LIBC_FUNCTIONS)
# provide: what the xen build's -nostdlib --no-undefined link would refuse.
cmake_minimum_required(VERSION 3.25)

foreach(var NAME NM APP_OBJECTS PROVIDER_OBJECTS LIBC_FUNCTIONS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "DrydockCheckSymbols.cmake: ${var} not given")
  endif()
endforeach()

# _nm(OUT ARGS...): nm -A -P's lines ("file: name type ...") as a list.
function(_nm out)
  execute_process(COMMAND ${NM} -A -P ${ARGN}
    OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NAME}: ${NM} failed on its objects: ${err}")
  endif()
  string(REPLACE ";" "\\;" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

# Every symbol the application, the runtime and the stack define.
_nm(defined_lines --defined-only ${APP_OBJECTS} ${PROVIDER_OBJECTS})
set(provided ${LIBC_FUNCTIONS}
  # What the compiler itself may refer to in position-independent or
  # stack-protected code; both builds have it.
  _GLOBAL_OFFSET_TABLE_ __stack_chk_fail __stack_chk_guard)
foreach(line IN LISTS defined_lines)
  if(line MATCHES "^[^ ]+: ([^ ]+) [A-Za-z]")
    list(APPEND provided ${CMAKE_MATCH_1})
  endif()
endforeach()

# Every strong undefined symbol of the application's objects (weak ones, nm
# type w or v, may stay undefined).
_nm(undefined_lines --undefined-only ${APP_OBJECTS})
set(missing "")
foreach(line IN LISTS undefined_lines)
  if(NOT line MATCHES "^([^ ]+): ([^ ]+) U")
    continue()
  endif()
  set(object ${CMAKE_MATCH_1})
  set(symbol ${CMAKE_MATCH_2})
  # The hypercalls of <uk/hypercall.h>, the guest ABI itself: the shim in
  # the sim build, runtime/platform/xen/hypercall.c on Xen.
  if(symbol IN_LIST provided OR symbol MATCHES "^HYPERVISOR_")
    continue()
  endif()
  # CMakeFiles/app.dir/src/main.c.o -> main.c
  cmake_path(GET object FILENAME source)
  string(REGEX REPLACE "\\.o(bj)?$" "" source "${source}")
  list(APPEND missing "${NAME}: calls ${symbol} (in ${source}), which the unikernel runtime does not provide (see runtime/libc/include and <uk.h>)")
endforeach()

if(missing)
  list(REMOVE_DUPLICATES missing)
  foreach(m IN LISTS missing)
    message(NOTICE "${m}")
  endforeach()
  message(FATAL_ERROR "${NAME}: does not link as a unikernel (the xen build would refuse it too)")
endif()
