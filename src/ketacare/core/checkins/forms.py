"""The patient's view of a scale on a check-in page: the stem, the items' shipped text and the
answer labels (data file ``data/forms.toml``), for the scales whose text may be shipped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ketacare.core import scales as core_scales
from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, UnknownIdError


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    choices: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class PatientForm:
    scale: str
    name: str
    stem: str
    questions: tuple[Question, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "name": self.name,
            "stem": self.stem,
            "questions": [
                {"number": q.number, "text": q.text, "choices": [list(c) for c in q.choices]}
                for q in self.questions
            ],
            "source": self.source,
        }


@lru_cache(maxsize=1)
def _forms() -> dict[str, PatientForm]:
    forms: dict[str, PatientForm] = {}
    for name, data in iter_data_files("ketacare.core.checkins"):
        for raw in data.get("forms", []):
            scale = core_scales.get_scale(str(raw["scale"]))
            anchors = [str(a) for a in raw["anchors"]]
            questions = []
            for item in scale.items:
                if not item.text:
                    raise DefinitionError(name, f"{scale.id} item {item.number} has no text")
                if len(anchors) != item.max - item.min + 1:
                    raise DefinitionError(
                        name, f"{scale.id}: {len(anchors)} anchors for values {item.min}-{item.max}"
                    )
                choices = tuple((item.min + i, a) for i, a in enumerate(anchors))
                questions.append(Question(item.number, item.text, choices))
            forms[scale.id] = PatientForm(
                scale.id, scale.name, str(raw["stem"]), tuple(questions), str(raw["source"])
            )
    return forms


def patient_scales() -> list[str]:
    """Scale ids a check-in may ask (their text may be shown to patients)."""
    return sorted(_forms())


def patient_form(scale_id: str) -> PatientForm:
    forms = _forms()
    if scale_id not in forms:
        raise UnknownIdError("patient form", scale_id, sorted(forms))
    return forms[scale_id]
