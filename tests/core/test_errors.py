"""The core's errors survive pickling (a task queue, a process pool) with their fields, and are
still caught as ValueError."""

from __future__ import annotations

import pickle

import pytest

from ketacare.core.errors import DefinitionError, InputError, UnknownIdError
from ketacare.core.protocols import DoseCeilingError, DoseLimitError


@pytest.mark.parametrize(
    "error",
    [
        InputError("weight_kg", 0, "20 to 300 kg"),
        UnknownIdError("scale", "phq10", ["phq9", "gad7"]),
        DoseLimitError("dose_mg_per_kg", 0.9, "at most 0.75 mg/kg"),
        DoseCeilingError("dose_mg", 3500, "at most 150 mg"),
        InputError("x", [1, 2], "a number", message="custom words"),
    ],
)
def test_input_errors_keep_their_fields_through_pickle(error: InputError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.field, back.value, back.allowed, back.message) == (
        error.field,
        error.value,
        error.allowed,
        error.message,
    )
    assert str(back) == str(error)
    with pytest.raises(ValueError):
        raise back


def test_a_definition_error_keeps_its_source_through_pickle() -> None:
    error = DefinitionError("phq9.toml", "item 3: a short label is required")
    back = pickle.loads(pickle.dumps(error))
    assert back.source == "phq9.toml" and str(back) == str(error)
