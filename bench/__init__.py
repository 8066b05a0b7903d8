"""Benchmarks (issue 7): run them with `make bench` or `make bench-quick`; see bench/README.md."""
