# `cmake --install` + find_package(flowfit) from an out-of-tree project: builds and runs the
# README's library example against a temporary install prefix (tests/consumer/).
add_test(NAME install_consumer_readme
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer_test
                 -DCXX_COMPILER=${CMAKE_CXX_COMPILER} -DBUILD_TYPE=$<CONFIG>
                 -DGENERATOR=${CMAKE_GENERATOR} -DLAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
                 -P ${PROJECT_SOURCE_DIR}/tests/consumer/consumer_test.cmake)
set_tests_properties(install_consumer_readme PROPERTIES TIMEOUT 600 LABELS "install")
