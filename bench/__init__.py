"""Benchmarks: measured in their own runs, never as timed tests."""
