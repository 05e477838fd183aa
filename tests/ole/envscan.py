"""Which environment variables a Python source reads, found in its syntax tree (tests/ole/test_deploy_files.py).

Reads are `os.environ.get("X")`, `os.environ["X"]`, `"X" in os.environ`, `os.getenv("X")`, and calls to a helper
of the same module that passes one of its own parameters to one of those (settings' `env_bool("X")`,
`env_list("X")`, and any such helper added later). A read whose name is not a literal cannot be checked, so it
is reported as an error rather than passed over.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class EnvReads:
    names: set[str] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)


def _is_environ(node: ast.AST) -> bool:
    """`os.environ`, or `environ` imported from os."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def _read_key(node: ast.AST) -> ast.AST | None:
    """The expression naming the variable if `node` reads the environment, else None."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
            return node.args[0]
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id == "os"
        ):
            return node.args[0]
        if isinstance(func, ast.Name) and func.id == "getenv":
            return node.args[0]
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
        return node.slice
    if (
        isinstance(node, ast.Compare)
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and _is_environ(node.comparators[0])
    ):
        return node.left
    return None


def _helpers(tree: ast.Module) -> tuple[dict[str, str], set[int]]:
    """Functions of the module that read the variable named by one of their parameters (name -> that
    parameter), and the reads inside them that use it (not reads of their own)."""
    helpers, own_reads = {}, set()
    for func in tree.body:
        if not isinstance(func, ast.FunctionDef):
            continue
        params = [arg.arg for arg in func.args.args]
        for node in ast.walk(func):
            key = _read_key(node)
            if isinstance(key, ast.Name) and key.id in params:
                helpers[func.name] = key.id
                own_reads.add(id(node))
    return helpers, own_reads


def _helper_key(node: ast.Call, helpers: dict[str, str], tree: ast.Module) -> ast.AST | None:
    func = next(f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == node.func.id)
    param = helpers[node.func.id]
    position = [arg.arg for arg in func.args.args].index(param)
    if len(node.args) > position:
        return node.args[position]
    return next((kw.value for kw in node.keywords if kw.arg == param), None)


def env_reads(source: str, filename: str = "<source>") -> EnvReads:
    tree = ast.parse(source, filename)
    helpers, own_reads = _helpers(tree)
    reads = EnvReads()
    for node in ast.walk(tree):
        if id(node) in own_reads:
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
            key = _helper_key(node, helpers, tree)
        else:
            key = _read_key(node)
        if key is None:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            reads.names.add(key.value)
        else:
            reads.unreadable.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return reads
