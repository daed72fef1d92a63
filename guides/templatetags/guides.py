"""`{% load guides %}{% step_guide step.step_type %}`: the link from a step to its guide,
wherever a step is listed (file page, step page, shared file, catalogue).

No query when the list selected `step_type__guide_link__guide` (every step list of
cases and referrals does); a draft guide shows no link."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


def guide_of(step_type):
    if step_type is None:
        return None
    try:
        guide = step_type.guide_link.guide
    except ObjectDoesNotExist:
        return None
    return guide if guide.is_published else None


@register.inclusion_tag("guides/_step_guide_link.html")
def step_guide(step_type) -> dict:
    return {"guide": guide_of(step_type)}
