"""Layer 7: the `onewindow` command, the thinnest layer: parse arguments, call the layers
below, print. Errors become one line on stderr and an exit code, never a traceback."""
