"""What the patient search box matches, as the front desk types it.

Every word must match (so "Marco Bianchi", "Bianchi, Marco" and "Bianchi Marco" all find Marco
Bianchi and not Lucia Bianchi): a word that reads as a date (ISO ``1980-03-14`` or the clinic's
own input formats, ``14/03/1980`` in en-GB) matches the date of birth; any other word a part of the
given name, the family name or the record number. A whole query that reads as a date
("14 Mar 1980") is that date of birth.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils import formats


def as_date(text: str) -> dt.date | None:
    """``text`` read by the clinic's date input formats (ISO always among them), else None."""
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007  (a date: no time, no zone)
        except ValueError:
            continue
    return None


def search_filter(query: str) -> Q:
    """The filter of the patients matching ``query`` (the caller limits it to one clinic)."""
    whole = as_date(query.strip())
    if whole is not None:
        return Q(date_of_birth=whole)
    found = Q()
    for word in (w for w in re.split(r"[\s,;]+", query) if w):
        date = as_date(word)
        if date is not None:
            found &= Q(date_of_birth=date)
        else:
            found &= (
                Q(family_name__icontains=word)
                | Q(given_name__icontains=word)
                | Q(record_number__icontains=word)
            )
    return found
