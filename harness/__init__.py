"""chaos-harness: fault-injection testing for front-end widgets."""

__version__ = "0.1.0"
