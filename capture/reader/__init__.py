"""The reader copy of a capture: the main content of a page, extracted and sanitised.

`inpage` runs Mozilla Readability in an isolated world of the loaded page; `document` turns
what it found into the stored `reader` artifact (allow-listed markup, images from the capture).
"""
