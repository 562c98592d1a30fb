#!/usr/bin/env python3
"""Median of the numbers given as arguments (the middle one, or the mean of the two middle ones)."""
import statistics
import sys

print("%.3f" % statistics.median(float(value) for value in sys.argv[1:]))
