"""Data shell: sources, validation, quality flags and the DuckDB store."""
