"""The HTTP API and event feed (DESIGN.md, "HTTP API")."""
