"""Shell helpers that read thesis files from disk.

The thesis core (:mod:`rotation.thesis`) takes text; reading files happens
here so that the core never touches the file system.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rotation.thesis import Thesis, ThesisError, load_thesis
from rotation.thesis._yaml import MAX_TEXT_BYTES

__all__ = [
    "DEFAULT_THESIS",
    "default_thesis_text",
    "load_thesis_file",
    "read_thesis_file",
]

#: File name of the packaged default thesis (The Great 2026 Rotation).
DEFAULT_THESIS = "great_rotation_2026.yaml"


def default_thesis_text() -> str:
    """Return the text of the packaged default thesis (The Great 2026 Rotation)."""
    return (
        resources.files("rotation")
        .joinpath("theses", DEFAULT_THESIS)
        .read_text(encoding="utf-8")
    )


def read_thesis_file(path: str | Path | None = None) -> bytes:
    """Read a thesis file's raw bytes (the packaged default when ``path`` is None).

    Parameters
    ----------
    path : str or Path, optional
        A YAML thesis file.

    Returns
    -------
    bytes
        The file's content, for :func:`rotation.thesis.load_thesis`.

    Raises
    ------
    ThesisError
        If the file does not exist, is not a regular file or is larger than
        the thesis size limit.
    """
    if path is None:
        return default_thesis_text().encode("utf-8")
    file = Path(path)
    if not file.is_file():
        raise ThesisError(
            f"thesis file {str(file)!r} does not exist or is not a file; pass the "
            "path of a YAML thesis (see theses/great_rotation_2026.yaml)"
        )
    size = file.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ThesisError(
            f"thesis file {str(file)!r} is {size} bytes; the limit is {MAX_TEXT_BYTES}"
        )
    return file.read_bytes()


def load_thesis_file(path: str | Path | None = None) -> Thesis:
    """Read and validate a thesis file (the packaged default when ``path`` is None).

    Parameters
    ----------
    path : str or Path, optional
        A YAML thesis file.

    Returns
    -------
    Thesis

    Raises
    ------
    ThesisError
        As :func:`read_thesis_file` and :func:`rotation.thesis.load_thesis`;
        the message starts with the file name.
    """
    data = read_thesis_file(path)
    try:
        return load_thesis(data)
    except ThesisError as exc:
        name = "default thesis" if path is None else str(path)
        raise ThesisError(
            f"{name}: {exc}",
            line=exc.line,
            column=exc.column,
            path=exc.path,
            allowed=exc.allowed,
        ) from None
