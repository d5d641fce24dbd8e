"""Where a capture's document comes from when it is not the live page at its URL.

A page the reader saved in their own browser (`upload`) is rendered by the same engine steps as a
live page, so every artifact kind the engine makes comes along for it too.
"""
