# Warnings and sanitizers for genmon's own targets (never applied to third-party glue).
add_library(genmon_warnings INTERFACE)
target_compile_options(genmon_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${GENMON_WERROR}>:-Werror>)

# Sanitizer builds use -O1 -g1 (after the build type's -O2 -g, so they win): the sanitizers'
# recommended level, line tables enough for symbolized reports, and much shorter compiles of the
# Beast-heavy files (CI builds both sanitizers on 2 cores, docs/reliability.md).
# -Wno-maybe-uninitialized: with the instrumentation GCC 12 reports false "may be used
# uninitialized" inside libstdc++ (std::function in <regex>); Release builds keep the warning.
if(GENMON_SANITIZE STREQUAL "asan")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1 -g1
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
elseif(GENMON_SANITIZE STREQUAL "tsan")
  # -Wno-tsan: GCC 12 warns that TSan does not model Asio's atomic_thread_fence; the warning is
  # about Boost's headers, and -Werror would otherwise stop every TSan build.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan -O1 -g1 -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=thread)
elseif(NOT GENMON_SANITIZE STREQUAL "")
  message(FATAL_ERROR "GENMON_SANITIZE must be empty, asan or tsan (got '${GENMON_SANITIZE}')")
endif()

# GENMON_FUZZ: libFuzzer with ASan + UBSan (scripts/fuzz, in its own build folder). Everything is
# instrumented for coverage (fuzzer-no-link); the fuzz targets add -fsanitize=fuzzer when linking.
if(GENMON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GENMON_FUZZ needs clang (libFuzzer): configure with CC=clang CXX=clang++ (scripts/fuzz does)")
  endif()
  if(NOT GENMON_SANITIZE STREQUAL "")
    message(FATAL_ERROR "GENMON_FUZZ brings its own sanitizers: leave GENMON_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -O1 -g1)
  add_link_options(-fsanitize=address,undefined)
endif()

# genmon_layer(name SOURCES ... DEPS ...): one static library per layer of docs/architecture.md.
function(genmon_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT L_SOURCES)
    return()  # the layer has no sources yet
  endif()
  foreach(dep ${L_DEPS})
    if(dep MATCHES "^genmon_" AND NOT TARGET ${dep})
      return()  # a layer below is not there yet
    endif()
  endforeach()
  add_library(${name} STATIC ${L_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${L_DEPS} PRIVATE genmon_warnings)
endfunction()
