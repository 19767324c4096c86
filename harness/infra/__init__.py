"""Processes the harness starts and owns: app server, engine, Toxiproxy, mitmproxy."""
