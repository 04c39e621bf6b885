# bench/gpu_check.sh's control flow with stub steps (FLOWFIT_GPU_CHECK_FAKE=1): its table, its
# time limits, its signal handling and the files it leaves in $OUT. Needs no GPU, builds nothing.
find_program(FLOWFIT_BASH bash)
find_program(FLOWFIT_TIMEOUT timeout)
find_program(FLOWFIT_TAR tar)
if(FLOWFIT_BASH AND FLOWFIT_TIMEOUT AND FLOWFIT_TAR)
  add_test(NAME gpu_check_control_flow
           COMMAND ${FLOWFIT_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/gpu_check_control_flow.sh
                   ${PROJECT_SOURCE_DIR}/bench/gpu_check.sh)
  set_tests_properties(gpu_check_control_flow PROPERTIES TIMEOUT 90 LABELS "bench;script")
else()
  message(STATUS "flowfit: gpu_check control-flow test not registered (no bash, timeout or tar)")
endif()
