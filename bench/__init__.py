"""Benchmarks: each module prints its figures; not part of the test run."""
