"""Benchmarks: this store side by side with its peers (not tests; nothing here is asserted)."""
