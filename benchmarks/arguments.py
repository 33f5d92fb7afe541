"""Command-line checks the benchmark scripts share, so that each says a bad flag the same way."""

from __future__ import annotations

import argparse
from collections.abc import Iterable


def require_positive(parser: argparse.ArgumentParser, args: argparse.Namespace, names: Iterable[str]) -> None:
    """Stop with ``parser.error`` (usage, the reason, exit code 2) at the first of the options ``names`` (their
    ``args`` attribute names) set to a number <= 0; an option left unset (None) passes."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, got {value}")
