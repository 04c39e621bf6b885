# docs/analysis.md's worked examples (run like docs/cli.md's) and the data-package validity of
# every analysis output (python3-jsonschema against tests/data/datapackage_schema).
flowfit_add_doc_examples(analysis_docs_examples docs/analysis.md tests/data/analysis 300)
if(FLOWFIT_PYTHON3 AND TARGET flowfit)
  execute_process(COMMAND ${FLOWFIT_PYTHON3} -c "import jsonschema"
                  RESULT_VARIABLE FLOWFIT_NO_JSONSCHEMA OUTPUT_QUIET ERROR_QUIET)
  if(FLOWFIT_NO_JSONSCHEMA)
    message(STATUS "flowfit: analysis data packages not validated (apt-get install "
                   "python3-jsonschema)")
  else()
    add_test(NAME analysis_datapackages_valid
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cmake/analysis_packages.sh
                     $<TARGET_FILE:flowfit> ${FLOWFIT_PYTHON3} ${PROJECT_SOURCE_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/analysis_packages)
    set_tests_properties(analysis_datapackages_valid PROPERTIES TIMEOUT 300 LABELS "cli"
                         ENVIRONMENT "OMP_WAIT_POLICY=passive")
  endif()
endif()
