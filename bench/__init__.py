"""The benchmark: quality on held-out data, peers side by side, speed and cost.

``python -m bench [--smoke] [--out reports]`` (``make bench``) writes
``reports/benchmark.md`` and its PNG plots and prints a summary table.
"""
