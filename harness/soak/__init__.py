"""Soak runs: many widget sessions under a fault mix, their metrics, the error-rate gate."""
