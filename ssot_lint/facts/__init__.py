"""Facts: what one Python file says, as plain typed values (`model`).

`extract` reads them: with CPython's parser (`read_ast`, positions and comments from
the text: `source_text`), about thirty times faster than LibCST, and with LibCST
(`read_cst`) for syntax the running Python cannot parse. Both readers drive one
syntax-neutral builder (`builder`).
"""
