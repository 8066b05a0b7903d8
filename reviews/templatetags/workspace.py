"""``{% workspace_sections as sections %}``: the admin landing page's sections for the logged-in user."""

from django import template

from reviews import workspace

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_sections(context):
    return workspace.sections(context["request"].user)
