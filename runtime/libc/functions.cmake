# drydock_libc_functions(OUT_VAR): the names of the functions that
# runtime/libc/include declares (string, ctype, stdlib, stdio), read from the
# headers' own prototypes. The libc unit test renames them; the check of an
# application's undefined symbols (cmake/Drydock.cmake) allows them.
function(drydock_libc_functions out)
  set(names)
  foreach(header IN ITEMS string ctype stdlib stdio)
    file(READ ${DRYDOCK_SOURCE_DIR}/runtime/libc/include/${header}.h text)
    # Declarations start a line with their return type: "void *memcpy(".
    string(REGEX MATCHALL "\n[a-z][^\n(]*[ *][a-z0-9_]+\\(" protos "${text}")
    foreach(proto IN LISTS protos)
      string(REGEX REPLACE "^.*[ *]([a-z0-9_]+)\\($" "\\1" name "${proto}")
      list(APPEND names ${name})
    endforeach()
  endforeach()
  if(NOT memcpy IN_LIST names OR NOT vsnprintf IN_LIST names)
    message(FATAL_ERROR "runtime/libc/include: no prototypes found (${names})")
  endif()
  set(${out} ${names} PARENT_SCOPE)
endfunction()
