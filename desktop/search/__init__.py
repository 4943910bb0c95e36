"""Finding and reading what was processed: the search panel, its hits, the reader's pages.

Nothing is imported here on purpose: :mod:`desktop.client` reads replies into
:mod:`desktop.search.records`, and importing the widgets with it would make the client
package depend on the window's.
"""
