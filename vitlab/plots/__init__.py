"""Figures the notebooks draw from the student's own outputs (matplotlib only), one module per topic.

``patches`` (notebook 1), ``attention`` (3), ``model`` (4-5), ``training`` (6-7).
"""
