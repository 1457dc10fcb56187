"""The source-to-source half of AutoGraph: rewrite a function's control flow into ``ag__`` calls.

An ``if`` statement becomes two nested functions (its branches) and a call
``ag__.if_stmt(test, if_body, else_body, get_state, set_state, names)``; ``while`` and
``for`` loops become a ``loop_body`` function and ``ag__.while_stmt`` / ``ag__.for_stmt``.
The nested functions change the enclosing variables through ``nonlocal``, so when the
condition turns out to be a Python value the statement behaves exactly as before.

Which variables does a statement hand to the graph op (its *state*)? Those it modifies
and that are read afterwards — found by a classic backward liveness analysis over the
function's statements. Temporaries used only inside a branch or loop body stay local.

Not converted (kept as Python, with a clear error if the condition is a tensor): loops
containing ``break``, ``continue`` or ``return``, loops with ``else``, and ``if``
statements with a ``return`` that is not the last statement of both branches.
Also converted: ``and``/``or``/``not``, ``x if c else y``, and calls (through
``ag__.converted_call``, which converts the user's own functions too).
"""
from __future__ import annotations

import ast

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)
_KEEP_CALLS = {"super", "locals", "globals", "vars", "eval", "exec", "dir"}  # need the caller's frame


# -- what a piece of code reads and writes ----------------------------------------------------------
def stores(nodes) -> list:
    """Names assigned in ``nodes`` (in order of appearance), not looking inside nested scopes."""
    names: list = []

    def add(n):
        if n not in names:
            names.append(n)

    def visit(node):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            add(node.name)
            return
        if isinstance(node, SCOPES):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for n in nodes:
        visit(n)
    return names


def loads(nodes) -> set:
    """Names read anywhere in ``nodes`` (nested scopes included: a conservative over-estimate)."""
    out = set()
    for n in nodes:
        for node in ast.walk(n):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                out.add(node.id)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                out.add(node.target.id)  # x += 1 reads x
    return out


class Liveness:
    """Backward liveness: ``out[id(stmt)]`` = names read after ``stmt`` before being reassigned;
    ``header[id(loop)]`` = names live at the top of a loop (its candidates for loop variables)."""

    def __init__(self, body: list):
        self.out: dict[int, set] = {}
        self.header: dict[int, set] = {}
        self.block(body, set())

    def block(self, stmts: list, live: set) -> set:
        for s in reversed(stmts):
            live = self.stmt(s, live)
        return live

    def stmt(self, s, out: set) -> set:
        self.out[id(s)] = out
        if isinstance(s, ast.If):
            return loads([s.test]) | self.block(s.body, out) | self.block(s.orelse, out)
        if isinstance(s, ast.While | ast.For | ast.AsyncFor):
            return self._loop(s, out)
        if isinstance(s, ast.Return):
            return loads([s])
        if isinstance(s, ast.Try):
            fin = self.block(s.finalbody, out)
            handlers = set().union(*[self.block(h.body, fin) for h in s.handlers])
            return self.block(s.body, self.block(s.orelse, fin) | handlers) | handlers | fin
        if isinstance(s, ast.With | ast.AsyncWith):  # `with ... as t:` assigns t before the body
            targets = set(stores([i.optional_vars for i in s.items if i.optional_vars is not None]))
            return loads(s.items) | (self.block(s.body, out) - targets)
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return (out - {s.name}) | loads([s])
        if isinstance(s, ast.Break | ast.Continue):
            return out
        if isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr | ast.Delete | ast.Import |
                      ast.ImportFrom | ast.Raise | ast.Assert | ast.Pass | ast.Global | ast.Nonlocal):
            return (out - set(stores([s]))) | loads([s])
        return out | loads([s])  # anything else (match ...): keep everything alive

    def _loop(self, s, out: set) -> set:
        exit_live = self.block(s.orelse, out)
        is_for = not isinstance(s, ast.While)
        killed = set(stores([s.target])) if is_for else set()
        header = set(exit_live) if is_for else exit_live | loads([s.test])
        while True:
            new = header | (self.block(s.body, header) - killed)
            if new == header:
                break
            header = new
        self.header[id(s)] = header
        return header | loads([s.iter]) if is_for else header


def jumps(stmts: list) -> set:
    """``break``/``continue``/``return`` that leave ``stmts`` (break/continue inside a nested loop
    belong to that loop and do not count)."""
    found = set()

    def visit(node, nested_loop):
        if isinstance(node, SCOPES):
            return
        if isinstance(node, ast.Return):
            found.add("return")
        elif isinstance(node, ast.Break | ast.Continue) and not nested_loop:
            found.add("break" if isinstance(node, ast.Break) else "continue")
        for child in ast.iter_child_nodes(node):
            visit(child, nested_loop or isinstance(node, ast.While | ast.For | ast.AsyncFor))

    for s in stmts:
        visit(s, False)
    return found


def always_returns(stmts: list) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    return isinstance(last, ast.Return) or (isinstance(last, ast.If) and always_returns(last.body)
                                            and always_returns(last.orelse))


def tail_returns(stmts: list) -> int:
    last = stmts[-1]
    return 1 if isinstance(last, ast.Return) else tail_returns(last.body) + tail_returns(last.orelse)


def fold_returns(stmts: list) -> None:
    """``if c: ...; return a`` followed by code that returns  ->  ``if c: ... return a else: <that code>``."""
    for s in stmts:
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(s, field, None)
            if isinstance(block, list) and not isinstance(s, SCOPES):
                fold_returns(block)
    for i in range(len(stmts) - 2, -1, -1):
        s = stmts[i]
        if isinstance(s, ast.If) and not s.orelse and always_returns(s.body) and always_returns(stmts[i + 1:]):
            s.orelse = stmts[i + 1:]
            del stmts[i + 1:]


# -- building nodes -----------------------------------------------------------------------------------
def _ag(attr: str) -> ast.Attribute:
    return ast.Attribute(value=ast.Name(id="ag__", ctx=ast.Load()), attr=attr, ctx=ast.Load())


def ag_call(attr: str, *args) -> ast.Call:
    return ast.Call(func=_ag(attr), args=list(args), keywords=[])


def name_node(n: str, store: bool = False) -> ast.Name:
    return ast.Name(id=n, ctx=ast.Store() if store else ast.Load())


def names_tuple(names: list, store: bool = False) -> ast.Tuple:
    return ast.Tuple(elts=[name_node(n, store) for n in names], ctx=ast.Store() if store else ast.Load())


def str_tuple(names: list) -> ast.Tuple:
    return ast.Tuple(elts=[ast.Constant(n) for n in names], ctx=ast.Load())


def function_def(name: str, params: list, body: list) -> ast.FunctionDef:
    args = _no_args()
    args.args = [ast.arg(arg=p) for p in params]
    extra = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
    return ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()], decorator_list=[], returns=None,
                           type_comment=None, **extra)


class ExpressionConverter(ast.NodeTransformer):
    """and/or/not, conditional expressions and calls, rewritten into ``ag__`` calls."""

    def __init__(self, super_args: list | None):
        self.super_args = super_args  # [__class__, self] for methods that use super()

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        if any(isinstance(n, ast.NamedExpr) for v in node.values for n in ast.walk(v)):
            return node  # a walrus inside a lambda would bind in the lambda
        thunks = [ast.Lambda(args=_no_args(), body=v) for v in node.values]
        return ast.copy_location(ag_call("and_" if isinstance(node.op, ast.And) else "or_", *thunks), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return ast.copy_location(ag_call("not_", node.operand), node) if isinstance(node.op, ast.Not) else node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if any(isinstance(n, ast.NamedExpr) for n in ast.walk(node)):
            return node
        thunks = [ast.Lambda(args=_no_args(), body=v) for v in (node.body, node.orelse)]
        return ast.copy_location(ag_call("if_exp", node.test, *thunks), node)

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in _KEEP_CALLS:
            if func.id == "super" and not node.args and self.super_args:
                node.args = [name_node(a) for a in self.super_args]
            return node
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "ag__":
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        kwargs = ast.Dict(keys=[None if k.arg is None else ast.Constant(k.arg) for k in node.keywords],
                          values=[k.value for k in node.keywords]) \
            if node.keywords else ast.Constant(None)
        return ast.copy_location(ag_call("converted_call", func, args, kwargs), node)

    def visit_Lambda(self, node):
        self.generic_visit(node)
        return node


def _no_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                         defaults=[])
