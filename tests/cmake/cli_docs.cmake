# The worked examples of docs/cli.md, run against the built flowfit binary (every ```console
# command must exit as the page says; documented error lines must match the real ones).
find_program(FLOWFIT_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT FLOWFIT_PYTHON3)
  find_program(FLOWFIT_PYTHON3 NAMES python3)
endif()
if(FLOWFIT_PYTHON3 AND TARGET flowfit)
  add_test(NAME cli_docs_examples
           COMMAND ${FLOWFIT_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/run_doc_examples.py
                   --binary $<TARGET_FILE:flowfit> --doc ${PROJECT_SOURCE_DIR}/docs/cli.md
                   --data ${PROJECT_SOURCE_DIR}/tests/data/cli)
  set_tests_properties(cli_docs_examples PROPERTIES TIMEOUT 600 LABELS "cli;docs"
                       ENVIRONMENT "OMP_WAIT_POLICY=passive")
else()
  message(STATUS "flowfit: docs/cli.md examples not tested (no python3 or no flowfit target)")
endif()
