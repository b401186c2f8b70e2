# drydock_add_trace_test(NAME UNIKERNEL app INPUT in.pcap EXPECT out.pcap
#                        [AS IP] [NORMALISE list] [TIMEOUT seconds] [ARGS arg ...])
# drydock_add_trace_test(NAME UNIKERNEL app INPUT in.pcap TCP AS IP
#                        [TCP_MSS n] [TIMEOUT seconds] [ARGS arg ...])
#
# A CTest test that replays INPUT into the unikernel under the virtual clock
# and compares the frames it sent with EXPECT, frame by frame: exactly
#   drydock trace expect [--as IP] [-n list] INPUT EXPECT -- app ARGS...
# (docs/replay.md). It passes when they match, and otherwise prints the
# first divergence (frame, field, expected, got) with frames around it.
# UNIKERNEL is a target (drydock_add_unikernel) or a path; relative INPUT
# and EXPECT paths are from the calling CMakeLists.txt's directory. With
# AS, the guest stands in for host IP of the recording (pcap=IN,as=IP), and
# EXPECT may be "-": what that host sent in INPUT. NORMALISE replaces the
# default time,ipid,mac. ARGS go to the unikernel after drydock's own
# options: host options, then "--" and the guest's (ip=10.0.0.2/24).
#
# With TCP (AS required, no EXPECT or EXPECT -, no NORMALISE), the
# recording's TCP flows of host AS are replayed TCP-aware, the replayer
# playing each flow's other end, and the test passes when the guest's
# bytes match the recorded host's:
#   drydock trace expect --tcp --as IP [--tcp-mss n] INPUT - -- app ARGS...
# TCP_MSS is the MSS the replayer offers the guest (a smaller one than
# recorded makes the guest cut its answer differently).
#
# DRYDOCK_TRACE_COMMAND is the command that runs "trace expect" as its
# arguments: the drydock-trace program of tools/drydock.
if(NOT DEFINED DRYDOCK_TRACE_COMMAND)
  set(DRYDOCK_TRACE_COMMAND $<TARGET_FILE:drydock-trace>)
endif()

function(drydock_add_trace_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "TCP" "UNIKERNEL;INPUT;EXPECT;AS;NORMALISE;TIMEOUT;TCP_MSS"
    "ARGS")
  if(arg_TCP)
    if(NOT arg_AS)
      message(FATAL_ERROR "drydock_add_trace_test(${name}): TCP needs AS IP, the recorded host the guest stands in for")
    endif()
    if(arg_NORMALISE OR (arg_EXPECT AND NOT arg_EXPECT STREQUAL "-"))
      message(FATAL_ERROR "drydock_add_trace_test(${name}): TCP compares with the recording itself: no EXPECT file, no NORMALISE")
    endif()
    set(arg_EXPECT "-")
  elseif(arg_TCP_MSS)
    message(FATAL_ERROR "drydock_add_trace_test(${name}): TCP_MSS goes with TCP")
  endif()
  foreach(required IN ITEMS UNIKERNEL INPUT EXPECT)
    if(NOT arg_${required})
      message(FATAL_ERROR "drydock_add_trace_test(${name}): no ${required} given")
    endif()
  endforeach()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "drydock_add_trace_test(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  cmake_path(ABSOLUTE_PATH arg_INPUT BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT arg_EXPECT STREQUAL "-")
    cmake_path(ABSOLUTE_PATH arg_EXPECT BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  set(options)
  if(arg_TCP)
    list(APPEND options --tcp)
  endif()
  if(arg_TCP_MSS)
    list(APPEND options --tcp-mss ${arg_TCP_MSS})
  endif()
  if(arg_AS)
    list(APPEND options --as ${arg_AS})
  endif()
  if(arg_NORMALISE)
    list(APPEND options -n ${arg_NORMALISE})
  endif()
  if(TARGET ${arg_UNIKERNEL})
    set(unikernel $<TARGET_FILE:${arg_UNIKERNEL}>)
  else()
    set(unikernel ${arg_UNIKERNEL})
  endif()
  add_test(NAME ${name}
    COMMAND ${DRYDOCK_TRACE_COMMAND} expect ${options} ${arg_INPUT} ${arg_EXPECT}
            -- ${unikernel} ${arg_ARGS})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${arg_TIMEOUT})
endfunction()
