"""``{% identity_banner patient %}``: who is in the chair, on every chair-side screen."""

from django import template

from ..identity import identity_for

register = template.Library()


@register.inclusion_tag("patients/_identity_banner.html")
def identity_banner(patient):
    return {"who": identity_for(patient)}
