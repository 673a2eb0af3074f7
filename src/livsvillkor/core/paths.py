"""Where the repository's own data files (frameworks/, catalogues/, areas/, demo/, mappings/) are."""

from pathlib import Path

from django.conf import settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SOURCE_ROOT = PACKAGE_DIR.parent.parent  # the repository root in a source (editable) install


def repo_file(relative: str) -> Path:
    """Find a repository data file: first under the working directory, then beside the source tree."""
    for base in (Path(settings.BASE_DIR), SOURCE_ROOT):
        candidate = base / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{relative} not found under {settings.BASE_DIR} or {SOURCE_ROOT}")
