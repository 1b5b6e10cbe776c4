#!/usr/bin/env python3
"""Checks kafka-python programs exported by the playground against the installed kafka-python.

Usage: python3 tests/export_check.py PROGRAM.py [...]

For each program: it must parse (ast) and compile; every `import kafka...` / `from kafka... import X`
must resolve; every call of a class imported from kafka may only use keyword arguments the class
accepts (its DEFAULT_CONFIG for the clients, its signature otherwise, e.g. NewTopic), and no
`**kwargs` (they could hide anything); literal values must have the type of kafka-python's
default (booleans for booleans, numbers for numbers); every assignor named in
partition_assignment_strategy must be a kafka-python assignor class. Exit status 0 when every
program passes, 1 otherwise, with one line per problem.
"""

import ast
import importlib
import inspect
import sys

# kafka-python accepts these values although its default has another type.
TYPE_EXCEPTIONS = {("acks", str), ("retries", int)}


def resolve_imports(tree, problems):
    """Names bound by kafka imports -> the imported object."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "kafka":
                    continue
                try:
                    importlib.import_module(alias.name)
                except ImportError as e:
                    problems.append(f"line {node.lineno}: import {alias.name}: {e}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] != "kafka":
                continue
            try:
                mod = importlib.import_module(module)
            except ImportError as e:
                problems.append(f"line {node.lineno}: from {module}: {e}")
                continue
            for alias in node.names:
                if not hasattr(mod, alias.name):
                    problems.append(f"line {node.lineno}: {module} has no {alias.name}")
                    continue
                names[alias.asname or alias.name] = getattr(mod, alias.name)
    return names


def accepted_keywords(cls):
    """The keyword arguments a kafka-python class accepts, and its defaults where known."""
    config = getattr(cls, "DEFAULT_CONFIG", None)
    if isinstance(config, dict):
        return set(config), config
    params = inspect.signature(cls).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return None, {}
    keywords = {n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    defaults = {n: p.default for n, p in params.items() if p.default is not p.empty}
    return keywords, defaults


def literal_type_problem(name, value_node, default):
    try:
        value = ast.literal_eval(value_node)
    except ValueError:
        return None  # a name or expression: checked elsewhere
    if value is None or default is None:
        return None
    if (name, type(value)) in TYPE_EXCEPTIONS:
        return None
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    else:
        return None
    if ok:
        return None
    return f"{name}={value!r}: kafka-python's default is {default!r} ({type(default).__name__})"


def check_assignors(node, names, problems):
    from kafka.coordinator.assignors.abstract import AbstractPartitionAssignor

    elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    for e in elements:
        obj = names.get(e.id) if isinstance(e, ast.Name) else None
        if not (inspect.isclass(obj) and issubclass(obj, AbstractPartitionAssignor)):
            problems.append(
                f"line {e.lineno}: partition_assignment_strategy: {ast.unparse(e)} is not a kafka-python assignor class"
            )


def check_program(path):
    problems = []
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        tree = ast.parse(source, filename=path)
        compile(tree, path, "exec")
    except SyntaxError as e:
        return [f"line {e.lineno}: syntax error: {e.msg}"], 0
    names = resolve_imports(tree, problems)
    checked = 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        cls = names.get(node.func.id)
        if not inspect.isclass(cls):
            continue
        keywords, defaults = accepted_keywords(cls)
        for kw in node.keywords:
            if kw.arg is None:
                problems.append(f"line {node.lineno}: {node.func.id}(**...) cannot be checked")
                continue
            checked += 1
            if keywords is not None and kw.arg not in keywords:
                problems.append(f"line {kw.value.lineno}: {node.func.id} has no argument {kw.arg}")
                continue
            if kw.arg == "partition_assignment_strategy":
                check_assignors(kw.value, names, problems)
                continue
            why = literal_type_problem(kw.arg, kw.value, defaults.get(kw.arg))
            if why:
                problems.append(f"line {kw.value.lineno}: {node.func.id}: {why}")
    return problems, checked


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    import kafka

    failed = False
    for path in paths:
        problems, checked = check_program(path)
        for p in problems:
            print(f"{path}: {p}")
        if problems:
            failed = True
        else:
            print(f"{path}: OK ({checked} keyword arguments checked against kafka-python {kafka.__version__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
