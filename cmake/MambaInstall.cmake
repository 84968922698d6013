# Installs and exports mamba-nki (included at the end of the top-level
# CMakeLists.txt):
#
#   bin/                     every tool (every executable defined under tools/)
#   lib/                     every library defined under lib/
#   include/mamba-nki/       the public headers, .td and .def files, and the
#                            generated .inc files and Version.h
#   lib/cmake/MambaNKI/      MambaNKIConfig.cmake: find_package(MambaNKI CONFIG)
#                            gives MambaNKI::<library> (the target's name
#                            without "Mamba": MambaNkiIR is MambaNKI::NkiIR)
#                            and MambaNKI::<tool>
#   share/doc/mamba-nki/     the dialect docs
#
# The targets are found by walking the directories under lib/ and tools/, so
# a library or tool added there is installed and exported with nothing to add
# here, whichever function made it (add_mlir_library, add_mlir_dialect_library,
# add_llvm_library, add_library, add_llvm_executable, ...).
# docs/development.md, "Building on mamba-nki".

include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

# The targets of TYPES defined in DIR and the directories below it.
function(mamba_targets_under dir types out)
  set(found)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type IN_LIST types)
      list(APPEND found ${target})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    mamba_targets_under(${subdir} "${types}" below)
    list(APPEND found ${below})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

mamba_targets_under(${PROJECT_SOURCE_DIR}/lib "STATIC_LIBRARY;SHARED_LIBRARY"
                    MAMBA_NKI_LIBRARY_TARGETS)
mamba_targets_under(${PROJECT_SOURCE_DIR}/tools "EXECUTABLE"
                    MAMBA_NKI_TOOL_TARGETS)
list(SORT MAMBA_NKI_LIBRARY_TARGETS)
list(SORT MAMBA_NKI_TOOL_TARGETS)

set(MAMBA_NKI_EXPORTED_LIBRARIES)
foreach(lib IN LISTS MAMBA_NKI_LIBRARY_TARGETS)
  set(name ${lib})
  if(lib MATCHES "^Mamba(.+)$")
    set(name ${CMAKE_MATCH_1})
  endif()
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${name})
  list(APPEND MAMBA_NKI_EXPORTED_LIBRARIES ${name})
endforeach()

install(TARGETS ${MAMBA_NKI_LIBRARY_TARGETS} ${MAMBA_NKI_TOOL_TARGETS}
  EXPORT MambaNKITargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mamba-nki
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td" PATTERN "*.def")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/mamba-nki
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/dialects
                  ${PROJECT_SOURCE_DIR}/docs/generated
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(MAMBA_NKI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/MambaNKI)
install(EXPORT MambaNKITargets
  NAMESPACE MambaNKI::
  FILE MambaNKITargets.cmake
  DESTINATION ${MAMBA_NKI_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/MambaNKIConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/MambaNKIConfig.cmake
  INSTALL_DESTINATION ${MAMBA_NKI_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# One MLIR/LLVM release per build: a consumer must use the same minor.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/MambaNKIConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/MambaNKIConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/MambaNKIConfigVersion.cmake
  DESTINATION ${MAMBA_NKI_CMAKE_DIR})

# test/Install/ installs the build: everything installed must be built first.
if(TARGET check-mamba-lit)
  add_dependencies(check-mamba-lit ${MAMBA_NKI_LIBRARY_TARGETS}
                   ${MAMBA_NKI_TOOL_TARGETS})
endif()
