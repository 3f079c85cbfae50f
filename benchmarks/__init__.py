"""Benchmark and long fuzz scripts (not part of the installed package)."""
