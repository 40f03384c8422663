"""Pure rules: the status machine, the routing resolver and deadline arithmetic.

No ORM, no request, no clock: everything they need comes in as arguments, so they are tested on
their own, exhaustively, without a database.
"""
