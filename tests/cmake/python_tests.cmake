# The Python module's pytest suite (tests/python), against the module built in <build>/python.
# Skipped with a message when the module is not built or pytest is missing.
if(TARGET _flowfit AND FLOWFIT_PYTHON_EXECUTABLE)
  execute_process(COMMAND ${FLOWFIT_PYTHON_EXECUTABLE} -c "import pytest, scipy, pandas"
                  RESULT_VARIABLE FLOWFIT_PYTEST_MISSING OUTPUT_QUIET ERROR_QUIET)
  if(FLOWFIT_PYTEST_MISSING)
    message(STATUS "flowfit: Python tests not registered (needs python3-pytest, -scipy, -pandas)")
  else()
    add_test(NAME python_tests
             COMMAND ${FLOWFIT_PYTHON_EXECUTABLE} -m pytest -q -p no:cacheprovider
                     ${PROJECT_SOURCE_DIR}/tests/python)
    set(FLOWFIT_PYTHON_TEST_ENV
        "PYTHONPATH=${PROJECT_BINARY_DIR}/python" "OMP_WAIT_POLICY=passive" "MPLBACKEND=Agg"
        "FLOWFIT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
    if(TARGET flowfit)
      list(APPEND FLOWFIT_PYTHON_TEST_ENV "FLOWFIT_CLI=$<TARGET_FILE:flowfit>")
    endif()
    set_tests_properties(python_tests PROPERTIES TIMEOUT 1500 LABELS "python"
                         ENVIRONMENT "${FLOWFIT_PYTHON_TEST_ENV}")
  endif()
else()
  message(STATUS "flowfit: Python tests not registered (the Python module is not built)")
endif()
