"""Element ids of a form that are its own.

Django gives every form the ids ``id_<field>``; a page with several forms that share field names
(the session page: the checklist's and the vitals' ``systolic``, every form's ``version`` and
``reason``) then holds the same id twice, and a ``<label for>`` focuses the first field on the
page, not its own. A form that mixes in :class:`OwnIds` gets ``id_<prefix>_<field>``, the prefix
being ``id_prefix`` or the class name without its ``Form`` suffix (``VitalsForm``: ``vitals``).
Field names, and so what is posted, do not change.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar


def id_prefix_of(cls: type) -> str:
    name = re.sub(r"Form$", "", cls.__name__) or cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class OwnIds:
    """Mix in before ``forms.Form``: ``auto_id`` becomes ``id_<prefix>_%s`` unless one is given."""

    id_prefix: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        prefix = type(self).__dict__.get("id_prefix") or id_prefix_of(type(self))
        kwargs.setdefault("auto_id", f"id_{prefix}_%s")
        super().__init__(*args, **kwargs)
