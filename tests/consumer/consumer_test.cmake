# ctest install_consumer_readme (cmake -P): installs the built flowfit into a fresh prefix under
# WORK_DIR, takes the first ```cpp block of README.md's "Using the library" section, builds it as
# an out-of-tree project against find_package(flowfit) and runs it on the bundled 12-CBG example.
# Fails when the README example stops compiling, linking or converging, or the package is broken.
# Inputs: SOURCE_DIR, BUILD_DIR, WORK_DIR, CXX_COMPILER, BUILD_TYPE, GENERATOR, LAUNCHER.
cmake_minimum_required(VERSION 3.24)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: ${what} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# ---- the README example ----------------------------------------------------------------------
file(READ ${SOURCE_DIR}/README.md readme)
string(FIND "${readme}" "## Using the library" section)
if(section EQUAL -1)
  message(FATAL_ERROR "consumer test: README.md has no '## Using the library' section")
endif()
string(SUBSTRING "${readme}" ${section} -1 readme)
string(FIND "${readme}" "```cpp\n" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "consumer test: no ```cpp block in README.md's 'Using the library'")
endif()
math(EXPR begin "${begin} + 7")
string(SUBSTRING "${readme}" ${begin} -1 readme)
string(FIND "${readme}" "\n```" end)
math(EXPR end "${end} + 1")
string(SUBSTRING "${readme}" 0 ${end} example)
file(REMOVE_RECURSE ${WORK_DIR})
file(WRITE ${WORK_DIR}/src/county_ipf.cpp "${example}")

# ---- install, configure, build, run ----------------------------------------------------------
set(prefix ${WORK_DIR}/prefix)
run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/flowfit/flowfit.hpp bin/flowfit)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "consumer test: cmake --install did not install ${f}")
  endif()
endforeach()

set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DREADME_EXAMPLE=${WORK_DIR}/src/county_ipf.cpp)
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run_step("configuring the consumer" ${configure})
string(FIND "${step_output}" "from ${prefix}/" found_at)
if(found_at EQUAL -1)
  message(FATAL_ERROR "consumer test: find_package(flowfit) did not use ${prefix}:\n${step_output}")
endif()
run_step("building the README example" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)

set(data ${SOURCE_DIR}/tests/data/cli)
run_step("running the README example" ${WORK_DIR}/build/county_ipf ${data}/geography.csv
         ${data}/flows_2015.mtx ${data}/county_rows.csv ${data}/county_cols.csv)
message("${step_output}")
if(NOT step_output MATCHES "county IPF on [^:]+: converged after 3000 iterations")
  message(FATAL_ERROR "consumer test: unexpected output of the README example")
endif()
run_step("running the installed flowfit" ${prefix}/bin/flowfit --version)
message("${step_output}")
