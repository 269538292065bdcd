"""Loaders: read published rectification-progress reports and normalise them into DuckDB."""
