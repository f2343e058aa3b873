"""``python -m rotation.cli``."""

from rotation.cli import app

app()
