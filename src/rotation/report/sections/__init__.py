"""Report section builders, one module per area."""
