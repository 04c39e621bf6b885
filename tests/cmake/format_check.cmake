# The sources follow .clang-format (skipped where clang-format is not installed).
find_program(FLOWFIT_CLANG_FORMAT clang-format)
if(FLOWFIT_CLANG_FORMAT)
  add_test(NAME clang_format_check COMMAND ${PROJECT_SOURCE_DIR}/tools/check_format.sh)
  set_tests_properties(clang_format_check PROPERTIES
    ENVIRONMENT "CLANG_FORMAT=${FLOWFIT_CLANG_FORMAT}")
endif()
