"""The reference chat assistant widget: the resolution plan implemented in full.

It is both the harness's demo target and its executable spec.
"""
