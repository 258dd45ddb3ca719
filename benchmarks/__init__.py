"""Benchmarks for tensorlite (not part of the installed package): ``python -m benchmarks`` runs the
suite (``overhead.py``, ``layers.py``, ``train.py``) and compares it with ``baseline.json``."""
