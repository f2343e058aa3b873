"""Readers for files and live sources (FRED/ALFRED, Yahoo Finance)."""
