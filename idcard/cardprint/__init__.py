"""Card and receipt rendering: PDF pages, sheets, text shaping, QR codes.

Plain values in, bytes out: nothing here imports Flask or touches the database, so
printing can run in worker processes and be tested on its own.
"""
