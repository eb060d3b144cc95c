"""The intake and safety data files: comment headers with grammar and source; validation."""

from __future__ import annotations

from importlib import resources

import pytest

from ketacare.core.errors import DefinitionError
from ketacare.core.intake import Question, TRDRule

DATA_FILES = [
    ("ketacare.core.safety", "thresholds.toml"),
    ("ketacare.core.intake", "trd.toml"),
    ("ketacare.core.intake", "contraindications.toml"),
]


@pytest.mark.parametrize(("package", "name"), DATA_FILES)
def test_each_data_file_starts_with_a_header_stating_grammar_and_source(
    package: str, name: str
) -> None:
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    joined = "\n".join(header).lower()
    assert header, name
    assert "grammar" in joined, name
    assert "source" in joined, name


def _question(**kw: object) -> Question:
    args: dict[str, object] = dict(
        id="q",
        kind="caution",
        label="L",
        reason="R",
        drugs=("racemic",),
        routes=None,
        source="S",
        file="contraindications.toml",
    )
    args.update(kw)
    return Question(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kw",
    [{"kind": "maybe"}, {"drugs": ("ketamine",)}, {"routes": ("oral",)}, {"source": " "}],
)
def test_a_malformed_question_raises_definition_error_naming_the_file(
    kw: dict[str, object],
) -> None:
    with pytest.raises(DefinitionError) as exc:
        _question(**kw)
    assert "contraindications.toml [q]" in str(exc.value)


def test_a_malformed_trd_rule_raises_definition_error() -> None:
    with pytest.raises(DefinitionError) as exc:
        TRDRule(0, ("none",), "S", "Q", "trd.toml")
    assert "trd.toml" in str(exc.value)
    with pytest.raises(DefinitionError):
        TRDRule(2, ("sideways",), "S", "Q", "trd.toml")


def test_a_question_may_carry_a_quote_but_not_an_empty_one() -> None:
    assert _question(quote="the label's words").quote == "the label's words"
    with pytest.raises(DefinitionError) as exc:
        _question(quote="  ")
    assert "quote" in str(exc.value)
