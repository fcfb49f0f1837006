"""Demo and scale data: realistic Spanish-language collections books.

`generate` turns a plan (project, members, segments…) into rows; `load` writes
them with COPY straight into the tables; `names` and `documents` hold the
vocabularies and the identity-document rules. The entry point is the
`seed_demo` management command.
"""
