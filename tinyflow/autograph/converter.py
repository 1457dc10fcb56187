"""Convert one Python function: parse its source, rewrite its statements, rebuild the function.

The rebuilt function keeps the original's globals, defaults and *closure cells* (so it
still sees, and updates, the variables of the function that defined it), and its code
keeps the original file name and line numbers, so tracebacks point at the user's code.

>>> from tinyflow.autograph.converter import convert_function
>>> def f(x):
...     if x > 0:
...         x = x * x
...     return x
>>> g, source = convert_function(f)
>>> g(3), "ag__.if_stmt" in source
(9, True)
"""
from __future__ import annotations

import ast
import inspect
import textwrap
import types

from tinyflow.autograph import operators
from tinyflow.autograph.transformer import (
    SCOPES,
    ExpressionConverter,
    Liveness,
    ag_call,
    always_returns,
    fold_returns,
    function_def,
    jumps,
    name_node,
    names_tuple,
    stores,
    str_tuple,
    tail_returns,
)

_NOT_CONVERTIBLE_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


class ConversionError(Exception):
    """Why a function cannot be converted (AutoGraph then runs it unconverted)."""


class _Converter:
    """Rewrites the statements of one function definition (nested defs get their own converter)."""

    def __init__(self, node: ast.FunctionDef, counter: list, super_args=None):
        self.node, self.counter = node, counter
        a = node.args
        params = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]
        self.params = {p.arg for p in params}
        self.globals = {n for s in _scope_nodes(node) if isinstance(s, ast.Global) for n in s.names}
        self.declared_nonlocal = {n for s in _scope_nodes(node) if isinstance(s, ast.Nonlocal) for n in s.names}
        fold_returns(node.body)
        self.live = Liveness(node.body)
        self.events = [((n.lineno, n.col_offset), name) for n in _scope_nodes(node) for name in _stored_here(n)]
        self.exprs = ExpressionConverter(super_args)

    def convert(self) -> ast.FunctionDef:
        self.node.body = self.block(self.node.body, [])
        return self.node

    def next_id(self) -> int:
        self.counter[0] += 1
        return self.counter[0]

    # -- statements ------------------------------------------------------------------------------
    def block(self, stmts: list, loops: list) -> list:
        out = []
        for s in stmts:
            out.extend(self.stmt(s, loops))
        return out

    def stmt(self, s, loops: list) -> list:
        if isinstance(s, ast.If):
            return _located(self.if_stmt(s, loops), s)
        if isinstance(s, ast.While):
            return _located(self.while_stmt(s, loops), s)
        if isinstance(s, ast.For):
            return _located(self.for_stmt(s, loops), s)
        if isinstance(s, ast.FunctionDef):
            return [_Converter(s, self.counter).convert()]
        if isinstance(s, ast.AsyncFunctionDef | ast.ClassDef | ast.AsyncFor | ast.AsyncWith) or \
                not isinstance(s, ast.With | ast.Try) and hasattr(s, "body"):
            return [s]  # left as written (match statements, classes, async code)
        if isinstance(s, ast.With):
            s.items = self.expr(s.items)
            s.body = self.block(s.body, loops)
            return [s]
        if isinstance(s, ast.Try):
            s.body, s.orelse = self.block(s.body, loops), self.block(s.orelse, loops)
            s.finalbody = self.block(s.finalbody, loops)
            for h in s.handlers:
                h.body = self.block(h.body, loops)
            return [s]
        return [self.exprs.visit(s)]  # a simple statement: convert its expressions

    def expr(self, node):
        if isinstance(node, list):
            return [self.expr(n) for n in node]
        return self.exprs.visit(node)

    def if_stmt(self, s: ast.If, loops: list) -> list:
        test, mods = self.expr(s.test), stores(s.body + s.orelse)
        inits = self.initializers(s, mods, loops)
        n = self.next_id()
        if always_returns(s.body) and always_returns(s.orelse) and _only_tail_returns(s):
            body, orelse = self.block(s.body, loops), self.block(s.orelse, loops)
            return inits + [self.function(f"if_body_{n}", [], mods, body),
                            self.function(f"else_body_{n}", [], mods, orelse),
                            ast.Return(ag_call("if_return", test, *_refs(n, "if_body", "else_body")))]
        found = jumps(s.body + s.orelse)
        if found:
            s.test = ag_call("py_cond", test, ast.Constant(_reason("if statement", found)))
            s.body, s.orelse = self.block(s.body, loops), self.block(s.orelse, loops)
            return inits + [s]
        state = [m for m in mods if m in self.live.out[id(s)]]
        body, orelse = self.block(s.body, loops), self.block(s.orelse, loops)
        call = ag_call("if_stmt", test, *_refs(n, "if_body", "else_body", "get_state", "set_state"), str_tuple(state))
        return inits + self.state_functions(n, state) + [
            self.function(f"if_body_{n}", [], mods, body), self.function(f"else_body_{n}", [], mods, orelse),
            ast.Expr(call)]

    def while_stmt(self, s: ast.While, loops: list) -> list:
        test, mods = self.expr(s.test), stores(s.body)
        inits = self.initializers(s, mods + stores([s.test]), loops)
        found = jumps(s.body)
        if found or s.orelse:
            s.test = ag_call("py_cond", test, ast.Constant(_reason("while loop", found or {"else"})))
            s.body, s.orelse = self.block(s.body, loops + [s]), self.block(s.orelse, loops)
            return inits + [s]
        n = self.next_id()
        state = [m for m in mods if m in self.live.header[id(s)]]
        body = self.block(s.body, loops + [s])
        call = ag_call("while_stmt", *_refs(n, "loop_test", "loop_body", "get_state", "set_state"), str_tuple(state))
        return inits + self.state_functions(n, state) + [
            self.function(f"loop_test_{n}", [], stores([s.test]), [ast.Return(test)]),
            self.function(f"loop_body_{n}", [], mods, body), ast.Expr(call)]

    def for_stmt(self, s: ast.For, loops: list) -> list:
        iter_, mods = self.expr(s.iter), stores([s.target] + s.body)
        inits = self.initializers(s, mods, loops)
        found = jumps(s.body)
        if found or s.orelse:
            s.iter = ag_call("py_iter", iter_, ast.Constant(_reason("for loop", found or {"else"})))
            s.body, s.orelse = self.block(s.body, loops + [s]), self.block(s.orelse, loops)
            return inits + [s]
        n = self.next_id()
        state = [m for m in mods if m in self.live.header[id(s)]]
        body = [ast.Assign(targets=[s.target], value=name_node(f"itr_{n}"), lineno=s.lineno)]
        body += self.block(s.body, loops + [s])
        call = ag_call("for_stmt", iter_, *_refs(n, "loop_body", "get_state", "set_state"), str_tuple(state))
        return inits + self.state_functions(n, state) + [
            self.function(f"loop_body_{n}", [f"itr_{n}"], mods, body), ast.Expr(call)]

    # -- helpers ---------------------------------------------------------------------------------
    def initializers(self, s, mods: list, loops: list) -> list:
        """``x = ag__.Undefined('x')`` for names the statement may assign that are not bound yet, so
        the nested functions can declare them ``nonlocal``."""
        here = (s.lineno, s.col_offset)
        defined = self.params | self.globals | self.declared_nonlocal
        defined |= {name for pos, name in self.events if pos < here}
        for loop in loops:  # inside a loop, a later assignment may have run in an earlier iteration
            defined |= set(stores(loop.body))
        return [ast.Assign(targets=[name_node(m, store=True)], value=ag_call("Undefined", ast.Constant(m)),
                           lineno=s.lineno) for m in mods if m not in defined]

    def function(self, name: str, params: list, mods: list, body: list) -> ast.FunctionDef:
        decls = []
        globals_ = [m for m in mods if m in self.globals]
        others = [m for m in mods if m not in self.globals and m not in params]
        if globals_:
            decls.append(ast.Global(names=globals_))
        if others:
            decls.append(ast.Nonlocal(names=others))
        return function_def(name, params, decls + body)

    def state_functions(self, n: int, state: list) -> list:
        get = function_def(f"get_state_{n}", [], [ast.Return(names_tuple(state))])
        body = [ast.Assign(targets=[names_tuple(state, store=True)], value=name_node("vars_"))] if state else []
        return [get, self.function(f"set_state_{n}", ["vars_"], state, body)]


def _refs(n: int, *names: str) -> list:
    return [name_node(f"{name}_{n}") for name in names]


def _only_tail_returns(s: ast.If) -> bool:
    """All returns in ``s`` end a branch, and nothing breaks out of it."""
    returns = sum(isinstance(n, ast.Return) for n in _scope_walk(s.body + s.orelse))
    return returns == tail_returns(s.body) + tail_returns(s.orelse) and jumps(s.body + s.orelse) <= {"return"}


def _reason(what: str, found: set) -> str:
    words = {"break": "`break`", "continue": "`continue`", "return": "a `return` that is not the last statement "
             "of both branches" if what == "if statement" else "`return`", "else": "an `else:` clause"}
    return f"this {what} contains " + " and ".join(words[k] for k in sorted(found))


def _scope_walk(nodes):
    """Every node of ``nodes`` that belongs to this scope (inside nested functions, classes, lambdas
    and comprehensions skipped)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _located(nodes: list, s) -> list:
    """Generated statements take the line of the statement they replace (for tracebacks)."""
    for n in nodes:
        if not hasattr(n, "end_lineno") or getattr(n, "lineno", None) != s.lineno:
            ast.copy_location(n, s)
    return nodes


def _scope_nodes(fn: ast.FunctionDef):
    return _scope_walk(fn.body)


def _stored_here(node) -> list:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return [node.id]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    return []


# -- from a function object to a converted function object ---------------------------------------------
def convert_function(fn) -> tuple:
    """``(converted_function, converted_source)``; raises ConversionError when it cannot convert."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None:
        raise ConversionError(f"{fn!r} is not a Python function")
    if code.co_flags & _NOT_CONVERTIBLE_FLAGS:
        raise ConversionError(f"{fn.__name__} is a generator or coroutine")
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError) as e:
        raise ConversionError(f"the source of {fn.__name__} is not available ({e})") from None
    node = _lambda_as_def(tree, code) if code.co_name == "<lambda>" else tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef) or node.name not in (code.co_name, "__ag_lambda"):
        raise ConversionError(f"the source of {fn.__name__} does not define it with `def` (a wrapper?)")
    ast.increment_lineno(node, code.co_firstlineno - 1)  # getsource starts at the line co_firstlineno names
    node.decorator_list = []
    freevars = list(code.co_freevars)
    first = (node.args.posonlyargs + node.args.args)[:1]
    super_args = ["__class__", first[0].arg] if "__class__" in freevars and first else None
    converted = _Converter(node, [0], super_args).convert()
    factory = function_def("__ag_factory", ["ag__", *freevars], [converted, ast.Return(name_node(node.name))])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.copy_location(factory, node)
    ast.fix_missing_locations(module)
    try:
        compiled = compile(module, code.co_filename, "exec")
    except (SyntaxError, TypeError, ValueError) as e:  # a construct the converter does not understand
        raise ConversionError(f"the converted code of {fn.__name__} does not compile ({e})") from None
    factory_code = _code_named(compiled, "__ag_factory")
    inner = _code_named(factory_code, node.name)
    cells = dict(zip(freevars, fn.__closure__ or ()))
    closure = tuple(types.CellType(operators) if v == "ag__" else cells[v] for v in inner.co_freevars)
    new = types.FunctionType(inner, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    new.__dict__.update(fn.__dict__)
    new.__qualname__, new.__module__, new.__doc__ = fn.__qualname__, fn.__module__, fn.__doc__
    new.__annotations__ = dict(getattr(fn, "__annotations__", {}))
    new.__ag_converted__ = True
    return new, ast.unparse(converted)


def _lambda_as_def(tree, code):
    """``lambda x: body`` as ``def __ag_lambda(x): return body``, if the line holds exactly one such lambda."""
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == 1 and
             [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params]
    if len(found) != 1:
        return None
    node = function_def("__ag_lambda", [], [ast.copy_location(ast.Return(found[0].body), found[0])])
    node.args = found[0].args
    return ast.copy_location(node, found[0])


def _code_named(code: types.CodeType, name: str) -> types.CodeType:
    return next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name)
