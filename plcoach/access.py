"""Access rules: every view declares who may use it, and a test checks none is missing.

The rule is enforced by the decorator itself (or by the view's queryset), never by a template.
"""

from collections.abc import Callable


def public(view: Callable) -> Callable:
    """Anyone may use this view, signed in or not.

    The PL Toolbox content is published openly under CC BY-NC-SA 4.0, so the
    pages that show it hold nothing about people and need no login.
    """
    view.access_rule = "public"
    return view
