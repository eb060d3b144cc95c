"""Links built once per page (``lib.links.link_for``) are the URLs ``reverse`` gives."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from ketacare.web.lib.links import link_for


@pytest.mark.parametrize(
    "viewname",
    [
        "patients:detail",
        "measures:new",
        "measures:withdraw",
        "measures:acknowledge",
        "courses:plan",
        "treatments:detail",
        "treatments:course_sessions",
    ],
)
def test_a_built_link_is_the_reversed_url(viewname: str) -> None:
    url_for = link_for(viewname)
    for _ in range(3):
        value = uuid.uuid4()
        assert url_for(value) == reverse(viewname, args=[value])
        assert url_for(str(value)) == reverse(viewname, args=[str(value)])
