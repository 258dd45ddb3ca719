"""Benchmarks for tensorlite (not part of the installed package); see ``benchmarks/overhead.py``."""
