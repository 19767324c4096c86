"""The browser side: which Chromium to launch, and the in-page probes."""
