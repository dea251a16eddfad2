"""The allocation engine: the rules, the eligible pairs, the model and its solvers, reasons, results.

Kept free of imports so that ``zq_land.engine.rules`` (which the readers use too) loads alone.
"""
