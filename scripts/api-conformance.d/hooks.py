"""Schemathesis hooks for scripts/api-conformance (loaded through SCHEMATHESIS_HOOKS).

CPython 3.11 before 3.11.9 can raise SystemError("AST constructor recursion depth mismatch") from ast.parse when
it is called deep in a stack. Hypothesis parses source files with ast.parse to describe lambdas, and schemathesis'
coverage phase calls it that deep, so a run died with a "Runtime Error" on operations it had not even sent yet.
Hypothesis already falls back to "<unknown>" on a SyntaxError; this turns that interpreter bug into one.
"""

import ast

_parse = ast.parse


def _parse_without_interpreter_bug(*args, **kwargs):
    try:
        return _parse(*args, **kwargs)
    except SystemError as error:
        raise SyntaxError(str(error)) from error


ast.parse = _parse_without_interpreter_bug
