"""The exceptions flowfit raises.

Every flowfit exception derives from :class:`flowfit.Error` (a :class:`RuntimeError`); those
caused by bad input or bad arguments also derive from :class:`ValueError`, so ``except
ValueError`` catches them too. Ctrl-C during a computation raises the usual
:class:`KeyboardInterrupt`.
"""

from __future__ import annotations


class Error(RuntimeError):
    """Any error reported by flowfit."""


class InputError(Error, ValueError):
    """Malformed or inconsistent input data.

    Attributes: ``file`` (path or description), ``line`` (1-based; 0 when not tied to a line),
    ``field`` (the column, array or member) and ``reason``.
    """

    file: str = ""
    line: int = 0
    field: str = ""
    reason: str = ""


class ConfigError(Error, ValueError):
    """An invalid argument, option or plan setting; ``key`` names it."""

    key: str = ""


class PlanError(ConfigError):
    """An invalid plan; ``file``, ``line`` (0 when not tied to a line) and ``key`` say where."""

    file: str = ""
    line: int = 0
    reason: str = ""


class DeviceError(Error):
    """The requested backend cannot be used here (CUDA not built, or no device)."""


class InconsistentTargets(Error, ValueError):
    """A stage's targets cannot all hold at once (raised by ``fit(..., on_inconsistent="raise")``).

    ``result`` holds the :class:`flowfit.FitResult` of the stage, fitted as far as it goes.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result
