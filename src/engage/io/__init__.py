"""Atomic, deterministic file outputs (Parquet, JSON)."""
