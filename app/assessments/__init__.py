"""Periodic assessment records (issue 7): plans, the four indicators, results, use."""
