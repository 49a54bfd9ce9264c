"""`sfn report`: a stored execution as one self-contained HTML page."""
