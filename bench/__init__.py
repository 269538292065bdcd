"""Benchmarks at scale: a corpus generator recombining the real samples, and the measurement harness."""
