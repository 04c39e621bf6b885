# The worked examples of docs/batch.md (array tasks by scheduler variables, gather, submit,
# summarize), on a copy of tests/data/batch.
flowfit_add_doc_examples(batch_docs_examples docs/batch.md tests/data/batch 300)
