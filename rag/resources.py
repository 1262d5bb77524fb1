"""Where the files shipped with the package live: prompt templates and the default corpus.

In a source checkout they are the top-level prompts/ and corpus/ folders; an installed package
carries copies under rag/_data/ (pyproject.toml maps them there), so `pip install .` and `rag ask`
from any folder find them.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
PROJECT_ROOT = _HERE.parent
# A checkout has its pyproject.toml beside rag/; an installed package sits in site-packages instead.
SOURCE_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "prompts").is_dir()


def data_dir(name: str) -> Path:
    """The shipped folder `name` (prompts or corpus), from the checkout or from the installed package."""
    installed = _HERE / "_data" / name
    if installed.is_dir():
        return installed
    return PROJECT_ROOT / name


PROMPTS_DIR = data_dir("prompts")
DEFAULT_CORPUS = (data_dir("corpus") / "erdao-14th-fyp.txt",)
