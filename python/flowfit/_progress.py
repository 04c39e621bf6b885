"""Progress callbacks: a callable, a tqdm bar, True (tqdm when installed, else silent) or None."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

ProgressHook = Callable[[int, int], None]


def make_hook(progress: Any, desc: str) -> Tuple[Optional[ProgressHook], Any]:
    """(hook(done, total) or None, the tqdm bar this call created or None)."""
    if progress is None or progress is False:
        return None, None
    created = None
    if progress is True:
        try:
            from tqdm.auto import tqdm  # optional dependency
        except ImportError:
            return None, None
        bar = created = tqdm(desc=desc, unit="it")
    elif hasattr(progress, "update") and hasattr(progress, "n"):
        bar = progress  # a tqdm-like bar given by the caller
    elif callable(progress):
        return progress, None
    else:
        raise TypeError("progress must be None, True, a callable(done, total) or a tqdm bar")

    def hook(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    return hook, created
