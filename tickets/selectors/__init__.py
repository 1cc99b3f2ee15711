"""Scoped fetchers: the only way views, API, commands and tasks read brand data. One module per views module of
the same name (``ticket``, ``queue``, ``review``, ``notifications``, ``reports``); ``ticket`` also holds the scopers
every other read starts from (``tickets_for``, ``replies_for``…) and ``get_ticket_for_user``.

``*_for(user)`` returns what the user may see; ``get_*_for_user`` answers 404 out of scope and 403 in scope
without the capability. Every function here starts from :func:`brands.access.scope_to_brands`.
"""
