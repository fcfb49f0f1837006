"""Benchmarks that write docs/benchmarks.md: `make bench` or `make bench-<name>`."""
