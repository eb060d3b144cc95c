"""Errors raised by the clinical core.

Every error a user can cause names the field, the value given and what is allowed, so the CLI,
the API and the forms can all show the same message and attach it to the right field.
"""

from __future__ import annotations

from typing import Any


class KetaCareError(Exception):
    """Base class of every error the clinical core raises on purpose."""


class InputError(KetaCareError, ValueError):
    """A value given by a user (or a caller) is not allowed.

    ``field`` names the input (``"weight_kg"``, ``"phq9 item 3"``), ``value`` is what was given,
    and ``allowed`` says what would have been accepted (``"20 to 300 kg"``).
    """

    def __init__(self, field: str, value: Any, allowed: str, message: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.message = message or f"{field}: {value!r} is not allowed; allowed: {allowed}"
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": _jsonable(self.value), "allowed": self.allowed}

    def __reduce__(self) -> tuple[Any, ...]:
        # keep the fields through pickle (a task queue, a process pool): rebuilt with the same
        # class, field, value, allowed and message
        return (
            _rebuild_input_error,
            (type(self), self.field, self.value, self.allowed, self.message),
        )


class DefinitionError(KetaCareError):
    """A shipped data file (scale, protocol, parameter set, trial record) is malformed."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.detail = message
        super().__init__(f"{source}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.detail))


class UnknownIdError(InputError):
    """An identifier (scale, protocol, model, trial) that is not in the library."""

    def __init__(self, field: str, value: Any, known: list[str] | tuple[str, ...]) -> None:
        super().__init__(field, value, "one of " + ", ".join(sorted(known)))


def _rebuild_input_error(
    cls: type[InputError], field: str, value: Any, allowed: str, message: str
) -> InputError:
    error = cls.__new__(cls)
    InputError.__init__(error, field, value, allowed, message)
    return error


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return repr(value)
