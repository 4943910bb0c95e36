"""Full-text search over the pages of completed tasks (DESIGN.md, "Search, read, export")."""
