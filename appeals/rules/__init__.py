"""The appeals' rules as plain Python: the legal terms (terms.py) and the status machine
(transitions.py). No models, services or web layers (the `rules` import contract)."""
