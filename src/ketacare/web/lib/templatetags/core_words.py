"""``{% load core_words %}``: the core's words for the ids a page shows (a scale's name, a drug,
a route, a protocol, the escalation advice's action). Nothing is decided here: each filter looks
the id up in the core, and an id the core does not know is shown as itself."""

from __future__ import annotations

from typing import Any

from django import template

from ketacare.core import protocols as core_protocols
from ketacare.core import scales as core_scales
from ketacare.core import vocabulary

register = template.Library()


@register.filter
def scale_name(scale_id: Any) -> str:
    try:
        return core_scales.get_scale(str(scale_id)).name
    except (ValueError, LookupError):  # UnknownIdError is a ValueError
        return str(scale_id)


@register.filter
def protocol_name(protocol_id: Any) -> str:
    try:
        return core_protocols.get_protocol(str(protocol_id)).name
    except (ValueError, LookupError):
        return str(protocol_id)


@register.filter
def drug_name(drug: Any) -> str:
    return vocabulary.label(vocabulary.DRUG_NAMES, str(drug)) if drug else ""


@register.filter
def route_name(route: Any) -> str:
    return vocabulary.label(vocabulary.ROUTE_NAMES, str(route)) if route else ""


@register.filter
def escalation_action(action: Any) -> str:
    return vocabulary.label(vocabulary.ESCALATION_ACTION_LABELS, str(action))


@register.filter
def condition_name(condition: Any) -> str:
    return vocabulary.label(vocabulary.CONDITION_NAMES, str(condition))
