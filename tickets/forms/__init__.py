"""The forms of the pages, one module per views module (``tickets/views/``) of the same name."""
