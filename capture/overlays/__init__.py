"""The page made ready for its full-page screenshot, and put back afterwards.

`inpage` pins fixed and sticky elements and hides what covers the content, from an isolated
world, and restores the page after the shot; `rules` reads the consent rule set it hides by.
"""
