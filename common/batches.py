"""Helpers for work over a whole batch of records at once (the Excel import of a city)."""

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """The cyclic garbage collector paused for the block, as it was before afterwards (so that
    blocks nest). Work that builds hundreds of thousands of objects and frees none of them until
    it ends makes the collector walk them all again and again for nothing to collect: a fifth of
    the time of importing the whole city's workbook. Reference counting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
