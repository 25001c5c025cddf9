"""`{% send_key %}`: a fresh key for one form on a walk page. The form sends it with its write, so
the same form sent again (its reply lost, the page's script resending) is known for a repeat."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def send_key() -> str:
    return str(uuid.uuid4())
