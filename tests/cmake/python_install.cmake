# `python3 -m pip install --no-build-isolation .` from a copy of the source into a throw-away
# venv, offline, and `import flowfit` outside the tree (tests/cmake/python_install.sh). Registered
# with the Python module; it skips (exit 77, a failure for tools/run_tests.sh) when python3-venv,
# -pip, -setuptools or -wheel is missing. It builds the module again (a few minutes the first
# time, far less with ccache); `ctest -LE install` leaves it out.
if(TARGET _flowfit AND FLOWFIT_PYTHON_EXECUTABLE)
  add_test(NAME python_pip_install
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cmake/python_install.sh
                   ${FLOWFIT_PYTHON_EXECUTABLE} ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR}/python_install)
  set_tests_properties(python_pip_install PROPERTIES TIMEOUT 1800 LABELS "python;install"
                       SKIP_RETURN_CODE 77 ENVIRONMENT "OMP_WAIT_POLICY=passive")
endif()
