"""The two consoles every command prints to: results on stdout, problems on stderr.

Soft wrapping keeps long file paths on one line, so tests and shells can match them.
"""

from __future__ import annotations

from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
