# The worked examples of docs/batch.md (array tasks by scheduler variables, gather, submit,
# summarize), run against the built flowfit binary on a copy of tests/data/batch.
find_program(FLOWFIT_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT FLOWFIT_PYTHON3)
  find_program(FLOWFIT_PYTHON3 NAMES python3)
endif()
if(FLOWFIT_PYTHON3 AND TARGET flowfit)
  add_test(NAME batch_docs_examples
           COMMAND ${FLOWFIT_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/run_doc_examples.py
                   --binary $<TARGET_FILE:flowfit> --doc ${PROJECT_SOURCE_DIR}/docs/batch.md
                   --data ${PROJECT_SOURCE_DIR}/tests/data/batch)
  set_tests_properties(batch_docs_examples PROPERTIES TIMEOUT 300 LABELS "cli;docs"
                       ENVIRONMENT "OMP_WAIT_POLICY=passive")
else()
  message(STATUS "flowfit: docs/batch.md examples not tested (no python3 or no flowfit target)")
endif()
