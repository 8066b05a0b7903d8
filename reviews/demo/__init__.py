"""Realistic demo data, generated fast, for demos and benchmarks (the ``generate_demo_data`` command).

- ``vocabulary``: the words articles are written with;
- ``text``: articles with claims at known character offsets;
- ``records``: the rows, as named records whose fields are the tables' columns;
- ``newsroom``: one batch of rows — articles, claims, tags;
- ``reviewing``: the claims' reviews and evidence, with claim statuses from ``reviews.workflow``;
- ``writing``: COPY on PostgreSQL, multi-row INSERTs elsewhere, one transaction per batch.
"""
