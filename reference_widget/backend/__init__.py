"""Python ASGI backend of the reference widget (Starlette + SQLite)."""
