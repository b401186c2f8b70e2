# Installing drydock (`cmake --install build --prefix P`, `make install
# PREFIX=P`): the command, the runtime and stack built for both targets, the
# simulator, the headers, the linker script, the CMake package
# (find_package(drydock) gives drydock_add_unikernel()), pkg-config files,
# docs and man pages. docs/ci.md shows a project using them.
#
#   bin/drydock
#   include/drydock/{runtime,net,libc,guest-sysroot}   what guest code sees
#   lib/drydock/objects-*/...                          the object libraries
#   lib/drydock/lib*.a                                 the same as archives
#   lib/drydock/xen.ld                                 the PVH image's linker script
#   lib/drydock/examples/{bin,xen}                     hello, echo, l2echo (with DRYDOCK_EXAMPLES)
#   lib/cmake/drydock/                                 the CMake package
#   lib/pkgconfig/drydock.pc, drydock-xen.pc
#   share/doc/drydock/, share/man/man1/drydock.1, drydock-run.1

include(CMakePackageConfigHelpers)
set(DRYDOCK_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/drydock)
set(DRYDOCK_INSTALL_LIBDIR ${CMAKE_INSTALL_LIBDIR}/drydock)

# Runs once every directory has made its targets and the xen build its
# object libraries (both deferred calls of the top directory, in this order).
function(_drydock_install)
  get_property(xen GLOBAL PROPERTY DRYDOCK_XEN_ENABLED)
  set(objects drydock_runtime drydock_net drydock_shim drydock_host)
  set(statics drydock_sim drydock_xenstored drydock_traces drydock_lazylib drydock_xlcfg
      drydock_registry)
  set(interfaces drydock_common_options drydock_guest_options drydock_host_options)
  if(xen)
    list(APPEND objects drydock_runtime_xen drydock_net_xen drydock_libc_xen)
    list(APPEND interfaces drydock_xen_options)
  endif()
  install(TARGETS ${objects} ${statics} ${interfaces} EXPORT drydockTargets
    OBJECTS DESTINATION ${DRYDOCK_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${DRYDOCK_INSTALL_LIBDIR})
  install(EXPORT drydockTargets DESTINATION ${DRYDOCK_INSTALL_CMAKEDIR})
  _drydock_install_archives(${xen})
  _drydock_install_package(${xen})
  _drydock_install_examples(${xen})
endfunction()

# The example unikernels, as a build tree lays them out, so that
# `drydock run lib/drydock/examples/xen/hello.cfg` runs examples/bin/hello.
function(_drydock_install_examples xen)
  if(NOT DRYDOCK_EXAMPLES)
    return()
  endif()
  set(dir ${DRYDOCK_INSTALL_LIBDIR}/examples)
  foreach(name IN ITEMS hello echo l2echo)
    install(TARGETS ${name} RUNTIME DESTINATION ${dir}/bin)
    if(xen)
      install(FILES $<TARGET_FILE:${name}-xen> ${DRYDOCK_XEN_OUTPUT_DIR}/${name}.cfg
        DESTINATION ${dir}/xen)
    endif()
  endforeach()
endfunction()

# The object libraries as archives too, for build systems that take -l
# (pkg-config): the sim guest, the host process, the xen guest.
function(_drydock_install_archives xen)
  add_library(drydock_guest_sim_archive STATIC
    $<TARGET_OBJECTS:drydock_runtime> $<TARGET_OBJECTS:drydock_net>)
  add_library(drydock_host_archive STATIC
    $<TARGET_OBJECTS:drydock_shim> $<TARGET_OBJECTS:drydock_host>)
  set_target_properties(drydock_guest_sim_archive PROPERTIES OUTPUT_NAME drydock-guest-sim)
  set_target_properties(drydock_host_archive PROPERTIES OUTPUT_NAME drydock-host)
  set(archives drydock_guest_sim_archive drydock_host_archive)
  if(xen)
    add_library(drydock_guest_xen_archive STATIC $<TARGET_OBJECTS:drydock_runtime_xen>
      $<TARGET_OBJECTS:drydock_net_xen> $<TARGET_OBJECTS:drydock_libc_xen>)
    set_target_properties(drydock_guest_xen_archive PROPERTIES OUTPUT_NAME drydock-guest-xen)
    list(APPEND archives drydock_guest_xen_archive)
  endif()
  install(TARGETS ${archives} ARCHIVE DESTINATION ${DRYDOCK_INSTALL_LIBDIR})
endfunction()

# drydockConfig.cmake and its version, the functions, the pkg-config files.
function(_drydock_install_package xen)
  drydock_libc_functions(DRYDOCK_LIBC_FUNCTION_LIST)
  set(DRYDOCK_XEN_INSTALLED ${xen})
  set(dir ${CMAKE_BINARY_DIR}/drydock-package)
  configure_package_config_file(${DRYDOCK_SOURCE_DIR}/cmake/drydockConfig.cmake.in
    ${dir}/drydockConfig.cmake INSTALL_DESTINATION ${DRYDOCK_INSTALL_CMAKEDIR}
    PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_DATADIR DRYDOCK_INSTALL_LIBDIR)
  write_basic_package_version_file(${dir}/drydockConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${dir}/drydockConfig.cmake ${dir}/drydockConfigVersion.cmake
    ${DRYDOCK_SOURCE_DIR}/cmake/DrydockFunctions.cmake
    ${DRYDOCK_SOURCE_DIR}/cmake/DrydockCheckSymbols.cmake
    DESTINATION ${DRYDOCK_INSTALL_CMAKEDIR})
  # Relocatable: the prefix is found from the .pc file's own place.
  file(RELATIVE_PATH DRYDOCK_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
  string(REGEX REPLACE "/$" "" DRYDOCK_PC_TO_PREFIX "${DRYDOCK_PC_TO_PREFIX}")
  foreach(pc IN ITEMS drydock drydock-xen)
    if(pc STREQUAL "drydock-xen" AND NOT xen)
      continue()
    endif()
    configure_file(${DRYDOCK_SOURCE_DIR}/cmake/${pc}.pc.in ${dir}/${pc}.pc @ONLY)
    install(FILES ${dir}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  endforeach()
endfunction()

install(TARGETS drydock drydock-trace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${DRYDOCK_SOURCE_DIR}/runtime/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/drydock/runtime)
install(DIRECTORY ${DRYDOCK_SOURCE_DIR}/net/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/drydock/net)
install(DIRECTORY ${DRYDOCK_SOURCE_DIR}/runtime/libc/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/drydock/libc)
# Links to this host's Xen and valgrind headers, as in the build tree.
install(DIRECTORY ${DRYDOCK_GUEST_SYSROOT}/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/drydock/guest-sysroot)
install(FILES ${DRYDOCK_XEN_LINKER_SCRIPT} DESTINATION ${DRYDOCK_INSTALL_LIBDIR})
install(FILES ${DRYDOCK_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The gdb helpers (tools/gdb), named by every unikernel built against the package.
install(DIRECTORY ${DRYDOCK_SOURCE_DIR}/tools/gdb/ DESTINATION ${CMAKE_INSTALL_DATADIR}/drydock/gdb
  PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY ${DRYDOCK_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  PATTERN man EXCLUDE)
install(FILES ${DRYDOCK_SOURCE_DIR}/docs/man/drydock.1 ${DRYDOCK_SOURCE_DIR}/docs/man/drydock-run.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
cmake_language(DEFER CALL _drydock_install)
