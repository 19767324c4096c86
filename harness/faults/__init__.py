"""Fault engines: the mitmproxy addon (HTTP) and Toxiproxy (TCP)."""
