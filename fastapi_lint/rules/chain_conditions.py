"""API107: when a blocking call inside a callee cannot run for a given call.

The contract, Revision 2: API107 is not reported when the blocking call is
unreachable for this call -- it sits under a condition on a parameter of the
callee that the call's arguments make false (a literal, ``None``, ``False`` or
an omitted default: ``get_secret("REDIS_PASSWORD")`` against ``if
name.startswith("oidc/"): open(...)``, ``load(path, remote=False)`` against
``if remote: download()``) -- or it runs once per process (under ``if GLOBAL
is None:`` that assigns that global, or after ``if key in _CACHE: return _CACHE[key]``
in a function that fills ``_CACHE``: ``once_per_process.py``).

A condition is stored as JSON in the callee's cached summary (the summary is
shared by every caller), and checked against each call site's arguments.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Optional

from fastapi_lint.rules.argument_values import (
    LITERAL_TYPES,
    MISSING,
    ArgumentValues,
    EnvName,
    Pinned,
    Prefix,
    fold,
    folded_name,
    imported_binding,
    literal,
)
from fastapi_lint.rules.branches import if_ancestors, in_body, short_circuit_tests
from fastapi_lint.rules.chain_cases import case_conditions
from fastapi_lint.rules.chain_kwargs import (
    kwargs_entry,
    kwargs_get_atom,
    kwargs_locals,
    on_keywords,
)
from fastapi_lint.rules.chain_numbers import compare, ordering
from fastapi_lint.rules.chain_objects import (
    NotNone,
    ProjectInstance,
)
from fastapi_lint.rules.chain_predicates import inline_predicates
from fastapi_lint.rules.chain_types import (
    KnownClass,
    isinstance_test,
    passes_isinstance,
    tested_classes,
)
from fastapi_lint.rules.once_per_process import (
    assigns_or_fills,
    early_exit_tests,
    is_module_name,
    none_test_name,
)
from fastapi_lint.rules.receiver_state import calls_own_method, receiver_never_sets
from fastapi_lint.rules.receiver_values import receiver_attribute_values
from fastapi_lint.semantic.memo import MemoKey
from fastapi_lint.semantic.syntax import (
    decorator_names,
    own_nodes,
    parameter_defaults,
)

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import FunctionInfo

# One atom: {"param", "index" (position at the call, None for keyword-only),
# "op" ("truthy", "none", "is", "eq", "in", "startswith", "endswith", "isinstance"), "value", "expect"
# (the truth value the path needs), "default" ([value] or None)}; or an `or` of atoms:
# {"op": "any", "atoms": [atom, ...], "expect"}; or an `and` of atoms inside one ("all").
Condition = dict[str, Any]

# Per model: function node id -> its parameters' later assignments (_parameter_stores).
_PARAMETER_STORES: MemoKey[dict[int, dict[str, list[ast.AST]]]] = MemoKey("parameter-stores")


def path_conditions(
    model: ModuleModel, function: FunctionInfo, node: ast.AST, seen: frozenset[int] = frozenset()
) -> Optional[list[Condition]]:
    """The conditions on ``function``'s parameters under which ``node`` runs (``[]``: always).

    ``seen``: the assignments of parameters whose own conditions are being asked (a loop
    may bring one back to itself)."""
    params = _parameters(function, model)
    stores = _parameter_stores(model, function, set(params))
    aliases = kwargs_locals(function.node, params)  # `hook = options.get("hook")`, `if hook:`
    keys = _ConstantKeys(model, function)
    conditions: list[Condition] = []

    def inlined(test: ast.expr) -> ast.expr:
        # `if self.is_local(key):` reads as the one-line test the helper returns.
        return inline_predicates(model, function, test)

    def add(atoms: list[Condition], test: ast.AST) -> None:
        # `test` is the statement's own test (its line), even when read through a predicate.
        conditions.extend(_unless_rebound(model, function, atoms, stores, test, seen))

    for ancestor, child in if_ancestors(model, function, node):
        taken = in_body(ancestor, child)
        read = inlined(_past_lazy_guard(model, function, ancestor) if taken else ancestor.test)
        atoms = _atoms(read, params, keys)
        if taken:
            add(atoms, ancestor.test)
        else:
            add(_negation(read, atoms, params, keys), ancestor.test)
    for test, truthy in short_circuit_tests(model, function, node):  # `verify and ping(url)`
        read = inlined(test)
        atoms = _atoms(read, params, keys)
        if truthy:
            add(atoms, test)
        else:
            add(_negation(read, atoms, params, keys), test)
    add(case_conditions(model, function, node, params), node)
    # `if not resolve: return url` before the statement, in its block or an
    # enclosing one: the statement runs only when the test is false.
    for test in early_exit_tests(model, function, node):
        read = inlined(test)
        add(_negation(read, _atoms(read, params, keys), params, keys), test)
    return on_keywords(conditions, aliases)


def _parameter_stores(
    model: ModuleModel, function: FunctionInfo, params: set[str]
) -> dict[str, list[ast.AST]]:
    """Parameter name -> the nodes of the function's own body that assign it again
    (``remote = remote or url.startswith("http")``). A normalisation of the same value
    (``name = name.replace("os.environ/", "").strip()``, ``name = name[5:]``) is left out:
    tests after it are read as tests of what the call passed. One walk per function."""
    known = model.memo.setdefault(_PARAMETER_STORES, {})
    cached = known.get(id(function.node))
    if cached is None:
        cached = known[id(function.node)] = _walk_parameter_stores(function, params)
    return cached


def _walk_parameter_stores(function: FunctionInfo, params: set[str]) -> dict[str, list[ast.AST]]:
    found: dict[str, list[ast.AST]] = {}
    normalised: set[int] = set()
    nodes = list(own_nodes(function.node.body))
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _normalisation_of(node.value, node.targets[0].id)
        ):
            normalised.add(id(node.targets[0]))
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name = node.id
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
        else:
            continue
        if name in params and id(node) not in normalised:
            found.setdefault(name, []).append(node)
    return found


def _normalisation_of(value: ast.expr, name: str) -> bool:
    """``name.replace("a", "").lower()``, ``name[5:]``: methods and slices of ``name``
    itself with literal arguments."""
    while True:
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            if not all(isinstance(arg, ast.Constant) for arg in value.args) or value.keywords:
                return False
            value = value.func.value
        elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            bounds = (value.slice.lower, value.slice.upper, value.slice.step)
            if not all(bound is None or isinstance(bound, ast.Constant) for bound in bounds):
                return False
            value = value.value
        else:
            return isinstance(value, ast.Name) and value.id == name


def _unless_rebound(
    model: ModuleModel,
    function: FunctionInfo,
    atoms: list[Condition],
    stores: dict[str, list[ast.AST]],
    test: ast.AST,
    seen: frozenset[int],
) -> list[Condition]:
    """The atoms, each holding also when its parameter was assigned again before ``test``:
    then the test no longer reads what the call passed. An assignment under conditions
    the call makes false leaves the atom as it was (``if name.startswith("os.environ/"):
    name = name.replace(...)`` for ``get_secret("REDIS_PASSWORD")``); one that always
    runs drops it."""
    if not stores:
        return atoms
    line = getattr(test, "lineno", 0)
    # A loop around the test runs it again after assignments below it in the loop body.
    loops = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in model.ancestors(test)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        and node.lineno >= function.node.lineno
    ]
    kept: list[Condition] = []
    for atom in atoms:
        rebinds = [
            store
            for name in _atom_parameters(atom)
            for store in stores.get(name, ())
            if id(store) not in seen
            and (
                getattr(store, "lineno", line) < line
                or any(start <= getattr(store, "lineno", 0) <= end for start, end in loops)
            )
        ]
        guards: list[Condition] = []
        for store in rebinds:
            runs = path_conditions(model, function, store, seen | {id(store)}) or []
            if not runs:
                break  # assigned on every path: nothing is known of the test
            guards.append(
                runs[0] if len(runs) == 1 else {"op": "all", "atoms": runs, "expect": True}
            )
        else:
            kept.append({"op": "any", "atoms": [atom, *guards], "expect": True} if guards else atom)
    return kept


def _atom_parameters(atom: Condition) -> list[str]:
    if atom["op"] in ("any", "all"):
        return [name for member in atom["atoms"] for name in _atom_parameters(member)]
    return [atom["param"]]


def _negation(
    test: ast.expr,
    atoms: list[Condition],
    params: dict[str, tuple[Optional[int], Any]],
    keys: _ConstantKeys,
) -> list[Condition]:
    """What the branch not taken needs: the negated atom when it stands for the whole test
    (an ``or`` of atoms is one ``any`` atom); for ``if not remote and not force: return``
    an ``any`` of the negated operands. Nothing when the test is only partly known."""
    if not isinstance(test, ast.BoolOp):
        return [_negated(atoms[0])] if len(atoms) == 1 else []
    if isinstance(test.op, ast.Or):
        return [_negated(atoms[0])] if len(atoms) == 1 and atoms[0]["op"] == "any" else []
    operands = [_atoms(value, params, keys) for value in test.values]
    if all(len(operand) == 1 for operand in operands):  # one atom per operand of the `and`
        negated = [_negated(operand[0]) for operand in operands]
        return [{"op": "any", "atoms": negated, "expect": True}]
    return []


def _past_lazy_guard(
    model: ModuleModel, function: FunctionInfo, branch: ast.If | ast.IfExp
) -> ast.expr:
    """``if _SCHEMA is None or reload:`` assigning ``_SCHEMA``: once the global is set,
    only ``reload`` takes the branch again, so the path needs ``reload`` (Revision 2)."""
    test = branch.test
    if isinstance(branch, ast.If) and isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        for guard, rest in (test.values, test.values[::-1]) if len(test.values) == 2 else ():
            name = none_test_name(guard)
            if name is not None and assigns_or_fills(branch.body, name):
                return rest if is_module_name(model, function, name) else test
    return test


def passed_through(
    conditions: list[Condition], call: ast.Call, caller: FunctionInfo
) -> list[Condition]:
    """The callee's conditions that ``call`` hands to ``caller``'s own parameters.

    ``def get_secret_str(name): return get_secret(name)``: the condition
    ``name.startswith("oidc/")`` of ``get_secret`` becomes one on
    ``get_secret_str``'s ``name``, so ``get_secret_str("REDIS_PASSWORD")`` rules
    the path out too. A condition on anything else is dropped (unknown: the
    path may run).
    """
    params = _parameters(caller)
    on_self = calls_own_method(call, caller)
    translated: list[Condition] = []
    for atom in conditions:
        handed = _handed_on(atom, call, params, on_self)
        if handed is not None:
            translated.append(handed)
    return translated


def _handed_on(
    atom: Condition,
    call: ast.Call,
    params: dict[str, tuple[Optional[int], Any]],
    on_self: bool = False,
) -> Condition | None:
    if "self_attr" in atom:
        # `self._write(line)` in `Logger.info`: the same object, so the same attribute
        # (`if self.log_file:` in `_write`) guards the path of `info` too.
        return atom if on_self else None
    if atom["op"] == "all":
        # Operands the call meets drop out, and so do those it cannot hand on (a weaker
        # condition rules out fewer calls); none left: the path is open.
        members = []
        for member in atom["atoms"]:
            handed = (
                _handed_on(member, call, params, on_self)
                if _holds(member, call, None) is None
                else None
            )
            if handed is not None:
                members.append(handed)
        return {**atom, "atoms": members} if members else None
    if atom["op"] == "any":
        # An operand the call makes false drops out (`relay(path, remote)` calling
        # `probe(path, remote=remote)` against `if remote or force:`); one it makes true
        # or that is not the caller's parameter leaves the path open: no condition.
        members = []
        for member in atom["atoms"]:
            truth = _holds(member, call, None)
            if truth is False:
                continue
            handed = _handed_on(member, call, params, on_self) if truth is None else None
            if handed is None:
                return None
            members.append(handed)
        return {**atom, "atoms": members} if members else None
    argument = _argument_node(atom, call)
    if isinstance(argument, ast.Name) and argument.id in params:
        index, default = params[argument.id]
        return {**atom, "param": argument.id, "index": index, "default": default}
    return None


def _argument_node(atom: Condition, call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == atom["param"]:
            return keyword.value
    index = atom["index"]
    if index is not None and index < len(call.args):
        node = call.args[index]
        return None if isinstance(node, ast.Starred) else node
    return None


def _negated(atom: Condition) -> Condition:
    negated = dict(atom)
    negated["expect"] = not atom["expect"]
    return negated


def falsified(
    conditions: list[Condition], call: ast.Call, values: ArgumentValues | None = None
) -> bool:
    """Whether the call's known arguments (or omitted defaults) make a condition false."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        keyword.arg is None for keyword in call.keywords
    ):
        # The arguments are unknown; the receiver's attributes are not (receiver_values).
        conditions = [atom for atom in conditions if "self_attr" in atom]
    return any(_holds(atom, call, values) is False for atom in conditions)


def _holds(atom: Condition, call: ast.Call, values: ArgumentValues | None) -> bool | None:
    """Whether the call's arguments meet the atom (None: unknown)."""
    if atom["op"] in ("any", "all"):
        truths = [_holds(member, call, values) for member in atom["atoms"]]
        decisive = atom["op"] == "any"  # the operand value that settles the whole
        if decisive in truths:
            met = decisive
        elif all(truth is (not decisive) for truth in truths):
            met = not decisive
        else:
            return None
        return met == atom["expect"]
    if "self_attr" in atom:
        return _receiver_holds(atom, call, values)
    value = _argument(atom, call, values)
    if value is MISSING:
        return None
    outcome = _evaluate(atom, value)
    return None if outcome is None else outcome == atom["expect"]


def _receiver_holds(atom: Condition, call: ast.Call, values: ArgumentValues | None) -> bool | None:
    """Whether the attribute of the call's receiver meets the atom: for every value it
    can hold (None when the values disagree or are unknown)."""
    if values is None:
        return None
    attr = atom["self_attr"]
    caller = values.scope.code_function
    if caller is not None and calls_own_method(call, caller):
        return None  # `self._write(line)`: the atom is handed on to the caller's own callers
    if receiver_never_sets(values.model, values.scope, call, attr):
        held: list[Any] | None = [None]  # an object built by the caller, never filled
    else:
        held = receiver_attribute_values(values.model, values.scope, call, attr)
    if not held:
        return None
    outcomes = {_evaluate(atom, value) for value in held}
    if len(outcomes) != 1 or None in outcomes:
        return None
    return outcomes.pop() == atom["expect"]


def _parameters(
    function: FunctionInfo, model: ModuleModel | None = None
) -> dict[str, tuple[Optional[int], Any]]:
    """Parameter name -> (position at a call, [default literal] or None).

    With ``model``, a default naming a module constant (``provider: str =
    DEFAULT_PROVIDER``) is that constant's literal."""
    args = function.node.args
    defaults = parameter_defaults(args)
    positional = args.posonlyargs + args.args
    skip = 0
    if function.class_info is not None and "staticmethod" not in decorator_names(function.node):
        skip = 1  # self / cls is bound, not passed
    params: dict[str, tuple[Optional[int], Any]] = {}
    for index, arg in enumerate(positional):
        if index < skip:
            continue
        params[arg.arg] = (index - skip, _default(defaults.get(id(arg)), model))
    for arg in args.kwonlyargs:
        params[arg.arg] = (None, _default(defaults.get(id(arg)), model))
    params.update(kwargs_entry(args))  # `if options.get("copy_to"):` (chain_kwargs)
    return params


def parameter_atom(
    function: FunctionInfo, name: str, model: ModuleModel | None = None
) -> Condition | None:
    """The base of a condition on ``function``'s parameter ``name`` (where a call passes
    it, its default), for conditions built elsewhere (a kernel path the helper opens)."""
    params = _parameters(function, model)
    if name not in params:
        return None
    index, default = params[name]
    return {"param": name, "index": index, "default": default}


def _default(node: ast.expr | None, model: ModuleModel | None = None) -> Any:
    if isinstance(node, ast.Name) and model is not None:
        bindings = model.module_scope.bindings.get(node.id, [])
        if len(bindings) == 1 and bindings[0].unpack_index is None:
            value = bindings[0].value
            node = value if isinstance(value, ast.Constant) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, LITERAL_TYPES):
        return [node.value]
    return None


def _atoms(
    test: ast.expr,
    params: dict[str, tuple[Optional[int], Any]],
    keys: _ConstantKeys | None = None,
) -> list[Condition]:
    expect = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        expect = not expect
        test = test.operand
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And):
            if not expect:
                return []  # `not (a and b)`: no single atom
            return [atom for value in test.values for atom in _atoms(value, params, keys)]
        # `if remote or force:` -- false only when every operand is: one `any` atom,
        # unless an operand is no single atom on a parameter (then it may hold).
        members = [_atoms(value, params, keys) for value in test.values]
        if all(len(member) == 1 for member in members):
            return [{"op": "any", "atoms": [member[0] for member in members], "expect": expect}]
        return []
    atom = _atom(test, params, keys)
    if atom is None:
        return []
    atom["expect"] = expect if atom.get("negated") is None else expect != atom.pop("negated")
    atom.pop("negated", None)
    return [atom]


def _atom(
    test: ast.expr,
    params: dict[str, tuple[Optional[int], Any]],
    keys: _ConstantKeys | None = None,
) -> Condition | None:
    def base(name: str) -> Condition | None:
        if name not in params:
            return None
        index, default = params[name]
        return {"param": name, "index": index, "default": default}

    keyword = kwargs_get_atom(test, params)
    if keyword is not None:
        return keyword
    if (
        keys is not None
        and isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.In, ast.NotIn))
        and isinstance(test.left, ast.Name)
    ):
        # `if key in SYSTEM_PROMPTS: return SYSTEM_PROMPTS[key]` before reading a file: a
        # literal key of that module-level literal never reaches the read.
        members = keys.of(test.comparators[0])
        atom = base(test.left.id)
        if members is None or atom is None:
            return None
        atom.update(
            op="in",
            value=members,
            negated=isinstance(test.ops[0], ast.NotIn),
            closed=keys.closed(test.comparators[0]),
        )
        return atom

    if isinstance(test, ast.Name):
        atom = base(test.id)
        if atom is not None:
            atom.update(op="truthy", value=None)
        return atom
    if keys is not None and isinstance_test(keys.model, keys.function, test):
        # `if isinstance(records, (str, Path)):` (chain_types): the classes tested.
        assert isinstance(test, ast.Call) and isinstance(test.args[0], ast.Name)
        classes = tested_classes(keys.model, keys.function, test.args[1])
        atom = base(test.args[0].id)
        if classes is None or atom is None:
            return None
        atom.update(op="isinstance", value=classes)
        return atom
    folded_test = folded_name(test) if isinstance(test, ast.Call) else None
    if folded_test is not None and folded_test[1]:
        # `if path.strip():` -- the folded argument's truth: `""` or `"  "` never passes.
        atom = base(folded_test[0])
        if atom is not None:
            atom.update(op="truthy", value=None, fold=folded_test[1])
        return atom
    folded = folded_name(test.left) if isinstance(test, ast.Compare) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and folded is not None:
        right = test.comparators[0]
        if not isinstance(right, ast.Constant) or not isinstance(right.value, LITERAL_TYPES):
            return None
        name, folds = folded
        atom = base(name)
        if atom is None:
            return None
        op = test.ops[0]
        if folds:
            # `if provider.lower() == "aws":` -- compared once the argument is folded.
            if not isinstance(op, (ast.Eq, ast.NotEq)) or not isinstance(right.value, str):
                return None
            atom.update(op="eq", value=right.value, fold=folds, negated=isinstance(op, ast.NotEq))
            return atom
        if isinstance(op, (ast.Is, ast.IsNot)) and right.value is None:
            atom.update(op="none", value=None, negated=isinstance(op, ast.IsNot))
            return atom
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right.value, bool):
            # `if remove_content is True:` (a strict flag test): the omitted default False
            # or a literal False never passes it.
            atom.update(op="is", value=right.value, negated=isinstance(op, ast.IsNot))
            return atom
        if isinstance(op, (ast.Eq, ast.NotEq)):
            atom.update(op="eq", value=right.value, negated=isinstance(op, ast.NotEq))
            return atom
        bound = ordering(op, right.value)  # `if seconds > 0:` (chain_numbers)
        return {**atom, "op": "cmp", "value": bound} if bound is not None else None
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in ("startswith", "endswith")
        and isinstance(test.func.value, ast.Name)
        and len(test.args) == 1
        and not test.keywords
    ):
        prefixes = _strings(test.args[0])
        atom = base(test.func.value.id)
        if prefixes is None or atom is None:
            return None
        atom.update(op=test.func.attr, value=prefixes)
        return atom
    return None


# A module-level literal with more members than this is not compared key by key.
_MAX_CONSTANT_KEYS = 256


class _ConstantKeys:
    """The members of a module-level dict, set, list or tuple literal named in a test."""

    def __init__(self, model: ModuleModel, function: FunctionInfo) -> None:
        self.model = model
        self.function = function

    def closed(self, node: ast.expr) -> bool:
        """Whether no member can be added at run time: a literal written in the test
        (``fmt in ("csv", "jsonl")``) or a module-level tuple constant."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            return True
        if not isinstance(node, ast.Name) or node.id in self.function.scope.bindings:
            return False
        bindings = self.model.module_scope.bindings.get(node.id, [])
        binding = imported_binding(self.model, bindings[0]) if len(bindings) == 1 else None
        return binding is not None and (
            isinstance(binding.value, ast.Tuple) or _frozen_literal(binding.value) is not None
        )

    def of(self, node: ast.expr) -> list[str | int] | None:
        if isinstance(node, ast.Name):
            if node.id in self.function.scope.bindings:
                return None  # a local of the callee, not the module's constant
            bindings = self.model.module_scope.bindings.get(node.id, [])
            if len(bindings) != 1:
                return None
            binding = imported_binding(self.model, bindings[0])
            if binding is None or binding.value is None or binding.unpack_index is not None:
                return None
            if not isinstance(binding.value, ast.expr):
                return None
            node = _frozen_literal(binding.value) or binding.value
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                return None  # `{**BASE, ...}`
            elements: list[ast.expr] = [key for key in node.keys if key is not None]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            elements = list(node.elts)
        else:
            return None
        if len(elements) > _MAX_CONSTANT_KEYS:
            return None
        members: list[str | int] = []
        for element in elements:
            value = element.value if isinstance(element, ast.Constant) else None
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                return None
            members.append(value)
        return members


def _frozen_literal(node: ast.AST | None) -> ast.expr | None:
    """The literal of ``frozenset({"file", "local"})`` (a set, list or tuple): a module
    constant no code can add members to, like a tuple."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "frozenset"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], (ast.Set, ast.List, ast.Tuple))
    ):
        return node.args[0]
    return None


def _could_be_in_identifier(text: str) -> bool:
    return text == "" or bool(re.fullmatch(r"[A-Za-z0-9_]*", text))


def _strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _argument(atom: Condition, call: ast.Call, values: ArgumentValues | None) -> Any:
    """What the call passes for the atom's parameter (a literal, a known prefix...), or MISSING."""
    node = _argument_node(atom, call)
    if node is not None:
        return values.of(node) if values is not None else literal(node)
    default = atom["default"]
    if isinstance(default, list) and len(default) == 1:
        return default[0]
    return MISSING


def _evaluate(atom: Condition, value: Any) -> bool | None:
    op = atom["op"]
    if op == "isinstance":
        return passes_isinstance(value, atom["value"])
    if isinstance(value, KnownClass):
        return False if op == "none" else None  # the class is known, not the content
    folds = atom.get("fold") or []
    if isinstance(value, Pinned):
        if value.folds == folds and op == "eq":
            return value.text == atom["value"]
        if value.folds:
            return None  # only a folded form is known
        value = value.text
    if folds:
        if not isinstance(value, str) or isinstance(value, Prefix):
            return None
        if op == "truthy":
            return bool(fold(value, folds))
        if op != "eq":
            return None
        return fold(value, folds) == atom["value"]
    if isinstance(value, EnvName):
        # An identifier: it fails a test against text an identifier cannot hold.
        if op in ("startswith", "endswith", "eq"):
            texts = atom["value"] if op != "eq" else [atom["value"]]
            if all(isinstance(text, str) and not _could_be_in_identifier(text) for text in texts):
                return False
        return None
    if isinstance(value, ProjectInstance):
        if op == "truthy":
            return True
        return False if op == "none" else None
    if isinstance(value, NotNone):
        return False if op == "none" else None
    if isinstance(value, Prefix):
        if op == "startswith":
            known = [p for p in atom["value"] if len(p) <= len(value)]
            if len(known) == len(atom["value"]):
                return any(value.startswith(p) for p in known)
            return None if any(p.startswith(value) for p in atom["value"]) else False
        return True if op == "truthy" and value else None
    if op == "truthy":
        return bool(value)
    if op == "in":
        # Keys can be added to a mutable constant at run time, never assumed removed: a key
        # of the literal is in it, any other value is unknown -- unless the collection is
        # closed (a literal in the test, a tuple constant, a `case` pattern).
        if not isinstance(value, (str, int)) or isinstance(value, (bool, Prefix)):
            return None
        if value in atom["value"]:
            return True
        return False if atom.get("closed") else None
    if op == "none":
        return value is None
    if op == "is":
        return value is atom["value"]
    if op == "eq":
        return bool(value == atom["value"])
    if op == "cmp":
        return compare(value, atom["value"])
    if op in ("startswith", "endswith"):
        if not isinstance(value, str):
            return None
        method = value.startswith if op == "startswith" else value.endswith
        return any(method(p) for p in atom["value"])
    return None
