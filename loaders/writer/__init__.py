"""The only writer: parsed reports and supervisors' corrections → the DuckDB file, and the ingest that feeds
it."""
