"""Lists that stop at a length, and say so."""


def capped(rows, limit: int) -> tuple[list, bool]:
    """The first `limit` rows, and whether there were more: one query, reading a row beyond them."""
    listed = list(rows[: limit + 1])
    return listed[:limit], len(listed) > limit
