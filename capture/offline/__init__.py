"""The offline copy: one self-contained HTML file that looks like the page the reader saw.

serialize.js walks the live page in an isolated world (inpage.py runs it in every frame),
resources.py holds the bytes the browser already has (MHTML parts, fonts from DevTools),
sanitize.py cleans each fragment on its own, and build.py stitches them into one file.
mhtml.py keeps what the MHTML alone gives: an uploaded archive, and a frame no script of ours
could reach.
"""
