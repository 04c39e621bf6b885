# The worked examples of docs/cli.md (flowfit_add_doc_examples: tests/CMakeLists.txt).
flowfit_add_doc_examples(cli_docs_examples docs/cli.md tests/data/cli 600)
