"""Every audit action written anywhere in ``src/`` has its label in ``audit/actions.py``.

The actions are found by reading the code (``ast``), not by a list kept by hand: every call of
``record(actor, action, ...)``, and of any function that passes its own parameter on as the
action (``_log``, ``_update`` in treatments; found, not named here), and every ``action=``
keyword of the web apps given as text (a session amendment's action). An action computed in a
way this cannot read (not text, not ``a if c else b``, not a parameter passed on) fails the test
too, so a label cannot be skipped by accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ketacare.web.audit.actions import ACTION_LABELS, GROUP_LABELS, action_label, group_of

SRC = Path(__file__).resolve().parents[2] / "src" / "ketacare"
AUDIT_ACTIONS = SRC / "web" / "audit" / "actions.py"


def _modules() -> list[tuple[Path, ast.Module]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path == AUDIT_ACTIONS:
            continue
        found.append((path, ast.parse(path.read_text(), str(path))))
    return found


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _action_arg(call: ast.Call, index: int) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "action":
            return kw.value
    return call.args[index] if len(call.args) > index else None


def _texts(node: ast.expr) -> list[str] | None:
    """The strings ``node`` can be: text, or a conditional between texts; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _texts(node.body), _texts(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def audit_actions() -> tuple[dict[str, str], list[str]]:
    """``({action: where}, [problems])`` over ``src/``."""
    modules = _modules()
    recorders = {"record": 1}  # function name -> position of the action argument
    actions: dict[str, str] = {}
    problems: list[str] = []
    changed = True
    while changed:  # until no new function is found passing an action through
        changed = False
        problems = []
        for path, tree in modules:
            for func in ast.walk(tree):
                if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
                for call in ast.walk(func):
                    if not isinstance(call, ast.Call) or _name(call) not in recorders:
                        continue
                    if _name(call) == func.name:
                        continue
                    arg = _action_arg(call, recorders[_name(call)])
                    if arg is None:
                        continue
                    where = f"{path.relative_to(SRC.parent)}:{call.lineno}"
                    if isinstance(arg, ast.Name) and arg.id in params:
                        if func.name not in recorders:
                            recorders[func.name] = params.index(arg.id)
                            changed = True
                        continue
                    texts = _texts(arg)
                    if texts is None:
                        problems.append(f"{where}: an action this test cannot read")
                        continue
                    for text in texts:
                        actions.setdefault(text, where)
    for path, tree in modules:  # action="group.what" given as text (amendments) in the web apps
        if "web" not in path.relative_to(SRC).parts[:1]:
            continue  # (argparse's action="store_true" is no audit action)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "action":
                for text in _texts(node.value) or []:
                    actions.setdefault(text, f"{path.relative_to(SRC.parent)}:{node.value.lineno}")
    return actions, problems


def test_every_action_used_in_src_has_a_label() -> None:
    actions, problems = audit_actions()
    assert not problems, "\n".join(problems)
    assert {"session.sign", "session.dose_override", "patient.update"} <= set(actions)
    missing = {a: where for a, where in actions.items() if a not in ACTION_LABELS}
    assert not missing, "add a label to ACTION_LABELS in audit/actions.py for: " + ", ".join(
        f"{a} ({where})" for a, where in sorted(missing.items())
    )


def test_no_label_is_left_for_an_action_no_longer_used() -> None:
    actions, _ = audit_actions()
    unused = sorted(set(ACTION_LABELS) - set(actions))
    assert not unused, f"labels of actions no longer written anywhere in src/: {unused}"


def test_every_group_has_a_heading_and_labels_are_unique() -> None:
    assert {group_of(a) for a in ACTION_LABELS} <= set(GROUP_LABELS)
    labels = list(ACTION_LABELS.values())
    assert len(labels) == len(set(labels))
    assert action_label("session.sign") == "Session signed"
    assert action_label("session.dose_override") == "Dose recorded above the protocol maximum"
    assert action_label("old.some_thing") == "old: some thing"  # an old row still reads
