"""Web pages: views, forms, the row builder shared by every list of links, and the share feed."""
