"""`{% t "key" name=value %}`: a sentence from the message catalogues, in the request's language."""

from django import template

from isu_engine.serve.language import t as message

register = template.Library()


@register.simple_tag
def t(key, **params):
    return message(key, **params)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
