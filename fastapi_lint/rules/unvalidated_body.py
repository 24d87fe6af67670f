"""API207: a route that takes its JSON body without a model.

A rule of the route-contract family (``API2``) in its own module: the registry
runs it as a second family object with the same prefix.

Which parameters FastAPI reads from the body, and which of them accept any JSON
object, is ``body_params.py``.

A body also passed whole to another call (not a builtin, a logger or ``json``)
is a pass-through: the upstream provider, chat handler or plugin that receives it
owns its schema, and the route's own key reads are routing keys (``model``,
``chat_id``).  Not reported, as the contract's "only forwarded whole" case.

A body passed to a project helper (any module) counts as validated at that call
when the helper validates the parameter before reading a key: the helper answers
the bad request.  ``data.items()`` looked over by a comprehension before the
validation (refusing locked keys) inspects keys like ``"k" in data``.  A form
(``await request.form()``) whose every field read is type-checked or compared
with a value before use is checked by hand, field by field.

Only reads by a key the code knows count (a literal, a constant, a loop over a literal
tuple): a key taken from a schema loaded at run time (``form[field.key]``) names fields no
static model can declare.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.registry import Family, Rule
from fastapi_lint.rules.body_answers import name_loads
from fastapi_lint.rules.body_bindings import (
    async_with_target,
    binding_of,
    converted_to_scalar,
    enumerated,
    is_none,
    item_target_and_region,
    iterated,
    reaching_binding,
    tolerant_pop,
)
from fastapi_lint.rules.body_envelopes import envelope_validated
from fastapi_lint.rules.body_params import (
    body_params,
    third_party_endpoint,
)
from fastapi_lint.rules.body_patterns import matched_by_key
from fastapi_lint.rules.body_schema import schema_words
from fastapi_lint.rules.form_fields import form_fields_checked
from fastapi_lint.rules.function_facts import function_fact
from fastapi_lint.rules.route_shapes import model_class_kind
from fastapi_lint.semantic.scopes import BindingKind
from fastapi_lint.semantic.syntax import single_assignment
from fastapi_lint.semantic.values import Instance

if TYPE_CHECKING:
    from fastapi_lint.diagnostics import Reporter
    from fastapi_lint.semantic.fastapi import RouteInfo
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Binding, FunctionInfo, Scope

API207 = Rule(
    code="API207",
    name="unvalidated-request-body",
    message=(
        "{route} takes its {body} {source} without a model: nothing checks its fields and "
        "the OpenAPI schema {schema}; {remedy}"
    ),
    summary=(
        "Checks for routes that read their JSON body as a plain `dict` (a `dict`/`Any` body "
        "parameter, or `await request.json()` read by key)."
    ),
    why=(
        "FastAPI validates a body against the parameter's type. Typed `dict`, `dict[str, Any]`, "
        "`list[dict]` or `Any` (also left without annotation: `payload=Body(...)` is `Any` "
        "to FastAPI), or read with `await request.json()`, the body is accepted as "
        "whatever JSON the client sends: a missing key raises `KeyError` (a 500 instead of a "
        "422 that names the field), a string where a number is expected reaches the database "
        "or the business logic, unexpected keys pass through, and the OpenAPI schema and the "
        "docs page show an untyped `object`, so clients cannot know what to send. A model (or a "
        "`TypedDict`) gives the 422 with the field's name, the conversion and the schema. Not "
        "reported: a body validated before any key is read (`Model.model_validate(data)`, "
        "`Model(**data)` of a Pydantic model, not of an ORM class whose constructor checks "
        "nothing nor a statement's `.values(**data)`, each item of a list body validated so before its keys are read, a "
        'payload taken out of its envelope and validated whole (`items = body.get("events")` '
        "then `EVENTS.validate_python(items)`; the envelope's other keys still count), or a "
        "project helper the body is passed to that validates it first), "
        "passed on whole (a pass-through: a proxy, a chat handler or a plugin that receives the "
        "body owns its schema, even when the route reads a routing key first), a body whose "
        "keys the route never reads (only counted, logged or stored whole), "
        "read as raw bytes (`await request.body()`), a form whose every field "
        'is checked before use (`isinstance(token, str)`, `hasattr(archive, "read")`, '
        '`grant_type == "refresh_token"`: '
        "an OAuth endpoint's form) or read into the model the route saves, whose refusal it "
        'renders (`MenuItem(url=form.get("url"))` in a `try`: a server-rendered admin page), fields read only by keys taken from a schema loaded at run '
        "time (`form[field.key]` for each field a plugin declares: no static model can name them), "
        "and third-party webhooks and callbacks (a signature check, `webhook`/`callback` in the "
        "path of a route the sender POSTs to, unless only users signed in with OAuth2 or OpenID "
        "Connect reach it: `POST /webhooks` registering a tenant's endpoint is the app's own API), "
        "whose payload schema the sender owns."
    ),
    example=(
        "from typing import Any\n\n"
        "from fastapi import FastAPI\n\n"
        "app = FastAPI()\n\n\n"
        '@app.post("/orders")\n'
        "async def create_order(order: dict[str, Any]) -> int:\n"
        '    return int(order["quantity"]) * 10\n'
    ),
    use_instead=(
        "from fastapi import FastAPI\n"
        "from pydantic import BaseModel\n\n"
        "app = FastAPI()\n\n\n"
        "class Order(BaseModel):\n"
        "    sku: str\n"
        "    quantity: int\n\n\n"
        '@app.post("/orders")\n'
        "async def create_order(order: Order) -> int:\n"
        "    return order.quantity * 10\n"
    ),
)

_REQUEST_TYPES = frozenset({"fastapi.Request", "starlette.requests.Request"})
_BODY_READERS = frozenset({"json", "form"})
# A method call on the value that reads its entries (what `data["x"]` does).
_READING_METHODS = frozenset({"get", "items", "keys", "values", "getlist", "setdefault", "pop"})
# The reading methods that take the key as their first argument.
_KEYED_METHODS = frozenset({"get", "getlist", "setdefault", "pop"})
# Calls that validate a whole value: `Model.model_validate(data)`, `adapter.validate_python(data)`.
_VALIDATING_METHODS = frozenset(
    {
        "model_validate",
        "model_validate_json",
        "validate_python",
        "validate_json",
        "parse_obj",
        "validate",
        "from_dict",
        "load",
        "structure",
    }
)
# ORM methods that write a mapping's keys as columns: a mass assignment, not a pass-through.
_MASS_ASSIGNING_METHODS = frozenset({"sqlmodel_update", "values"})
_VALIDATING_FUNCTIONS = frozenset({"pydantic.parse_obj_as", "pydantic.tools.parse_obj_as"})
# Calls that look at a value without taking it over: builtins, logging, JSON text.
_NOT_FORWARDING_MODULES = ("builtins.", "logging.", "json.", "copy.", "typing.")
_NOT_FORWARDING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "dumps"}
)
# How deep the body is followed into project helpers it is passed to.
_HELPER_DEPTH = 3
# Views whose iteration only looks over the entries (`for k, v in data.items()`).
_VIEW_METHODS = frozenset({"items", "keys"})


# ---------------------------------------------------------------- how the value is used
class _Uses:
    """The first key read and the first validation of a name in a route, in source order."""

    def __init__(self) -> None:
        self.first_read: int | None = None
        self.first_validation: int | None = None
        # `if "version" not in data: data["version"] = "v1"` before a validation fills in a
        # default: it checks keys without consuming values.
        self.first_presence_check: int | None = None
        # Passed whole to another call (a provider, a handler, a plugin): a pass-through.
        self.forwarded = False

    def add_read(self, line: int) -> None:
        if self.first_read is None or line < self.first_read:
            self.first_read = line

    def add_validation(self, line: int) -> None:
        if self.first_validation is None or line < self.first_validation:
            self.first_validation = line

    def add_presence_check(self, line: int) -> None:
        if self.first_presence_check is None or line < self.first_presence_check:
            self.first_presence_check = line

    @property
    def reported(self) -> bool:
        """Read by key before any validation (or read and never validated), and not a
        pass-through: a body also forwarded whole has the schema of whatever receives it."""
        if self.forwarded:
            return False
        if self.first_validation is None:
            return self.first_read is not None or self.first_presence_check is not None
        return self.first_read is not None and self.first_read < self.first_validation


def _classify(
    model: ModuleModel, node: ast.expr, scope: Scope, uses: _Uses, depth: int = 0
) -> None:
    """One use of the body value: a key read, a validation, or passing it on whole."""
    parent = model.parent(node)
    line = getattr(node, "lineno", 0)
    if (
        isinstance(parent, ast.BoolOp)
        and isinstance(parent.op, ast.Or)
        and parent.values[0] is node
    ):
        # `tags or []`, `(payload or {}).get("k")`: the body itself whenever one was sent.
        _classify(model, parent, scope, uses, depth)
        return
    if matched_by_key(parent, node):
        uses.add_read(line)  # `match data:` with a case `{"kind": ...}`
        return
    if isinstance(parent, ast.Subscript) and parent.value is node:
        if (
            isinstance(parent.ctx, ast.Load)
            and _static_key(model, parent.slice, scope)
            and not _unwrapped(model, parent, scope, depth)
        ):
            uses.add_read(line)
        return  # `data["k"] = v` / `del data["k"]` write the dict, they do not read it
    if isinstance(parent, ast.Attribute) and parent.value is node:
        if parent.attr == "pop" and tolerant_pop(model, parent):
            pass  # `data.pop("trace", None)` takes a field out, `data.pop("id")` alone drops it
        elif parent.attr in _READING_METHODS:
            if parent.attr in _KEYED_METHODS and not _static_key(
                model, _first_argument(model.parent(parent)), scope
            ):
                pass  # `form.get(field.key)` over a run-time schema: no model can name it
            elif parent.attr in _VIEW_METHODS and _looked_over(model, parent):
                view_call = model.parent(parent)
                comprehension = model.parent(view_call) if view_call is not None else None
                if isinstance(comprehension, ast.DictComp) and _whole_copy(comprehension):
                    # `form = {k: str(v) for k, v in (await request.form()).items()}`: the
                    # same fields, every one: judged by what the route does with the copy.
                    _follow_whole_copy(model, comprehension, scope, uses, depth)
                else:
                    # `sorted(k for k, v in data.items() if k in LOCKED)` before validating:
                    # it inspects the keys to refuse some, like `"k" in data`.
                    uses.add_presence_check(line)
            elif not (
                parent.attr == "get" and _unwrapped(model, model.parent(parent), scope, depth)
            ):
                uses.add_read(line)
        elif parent.attr == "copy":
            _follow_copy(model, model.parent(parent), scope, uses, depth)
        return  # `data.pop("trace", None)` before `Model(**data)` strips a key: not a read
    if isinstance(parent, ast.Compare) and node in parent.comparators:
        if any(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
            if _static_key(model, parent.left, scope):
                uses.add_presence_check(line)  # `"name" in data`: checking keys by hand
            return
    if isinstance(parent, ast.Starred):
        parent = model.parent(parent)
    if isinstance(parent, ast.keyword) and parent.arg is None:
        call = model.parent(parent)
        if _orm_construction(model, call, scope) or _mass_assigning(call):
            # `Document(**data)` of a mapped class checks no type and writes every key the
            # client sends as a column (`id`, `status`...), like `.values(data)`; so does
            # `update(Item).values(**data)`.
            uses.add_read(line)
            return
        # `Model(**data)` validates; `factory(plugin)(**data)` or `handler(**data)` binds the
        # keys to declared parameters: either way the callee names what it accepts.
        uses.add_validation(line)
        return
    counted = enumerated(model, node, scope)
    if counted is not None and iterated(model.parent(counted), counted):
        node, parent = counted, model.parent(counted)  # `for i, row in enumerate(rows)`
    if iterated(parent, node):
        if _items_validated(model, parent, node, scope, depth):
            # `[Payout.model_validate(row) for row in rows]`: each item is validated before
            # any of its keys is read, as `Model.model_validate(data)` is for the whole body.
            uses.add_validation(line)
        else:
            uses.add_read(line)  # the items of `list[dict]` (or the keys of a dict) are consumed
        return
    if isinstance(parent, ast.keyword):
        parent = model.parent(parent)
    if isinstance(parent, ast.Call) and node is not parent.func:
        if _mass_assigning(parent):
            # `item.sqlmodel_update(payload)`, `update(Item).values(payload)`: every key of
            # the body becomes a column write, like `setattr(item, k, v)` over its items.
            uses.add_read(line)
            return
        if _validates(model, parent, scope) or _helper_validates(model, parent, node, scope, depth):
            uses.add_validation(line)
        elif _forwards(model, parent, scope):
            uses.forwarded = True
        return  # passed on whole: forwarded, stored or validated elsewhere
    if isinstance(parent, ast.Dict) and any(
        key is None and value is node for key, value in zip(parent.keys, parent.values)
    ):
        _follow_copy(model, parent, scope, uses, depth)
    # Anything else (returned, stored, merged into `{**a, **data}`) keeps the value whole.


def _follow_copy(
    model: ModuleModel, copy: ast.AST | None, scope: Scope, uses: _Uses, depth: int
) -> None:
    """``payload = {**form_data}`` / ``form_data.copy()``: a copy forwarded whole makes the
    body a pass-through too (the proxy edits its copy, then sends it upstream)."""
    function = scope.code_function
    if depth >= _HELPER_DEPTH or function is None or copy is None:
        return
    binding = _bound_copy(model, copy, scope)
    if binding is not None and _uses_of(model, function, binding, depth + 1).forwarded:
        uses.forwarded = True


def _bound_copy(model: ModuleModel, copy: ast.AST, scope: Scope) -> Binding | None:
    """The binding of ``name = <copy>`` (one plain name); None when the copy is returned,
    stored whole or unpacked."""
    statement = model.parent(copy)
    if not (
        isinstance(statement, ast.Assign)
        and statement.value is copy
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return None
    return binding_of(model, scope, statement.targets[0])


def _whole_copy(node: ast.DictComp) -> bool:
    """``{k: str(v) for k, v in data.items()}``: every key kept as it is, no filter."""
    if len(node.generators) != 1:
        return False
    generator = node.generators[0]
    target = generator.target
    return (
        not generator.ifs
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[0], ast.Name)
        and isinstance(node.key, ast.Name)
        and node.key.id == target.elts[0].id
    )


def _follow_whole_copy(
    model: ModuleModel, copy: ast.DictComp, scope: Scope, uses: _Uses, depth: int
) -> None:
    """The uses of a whole copy bound to a name are the uses of the body: forwarded whole,
    validated, or read by key."""
    function = scope.code_function
    if depth >= _HELPER_DEPTH or function is None:
        return
    binding = _bound_copy(model, copy, scope)
    if binding is None:
        return  # returned or stored whole
    copied = _uses_of(model, function, binding, depth + 1)
    if copied.forwarded:
        uses.forwarded = True
    elif copied.reported:
        uses.add_read(copy.lineno)
    elif copied.first_validation is not None:
        uses.add_validation(copied.first_validation)


def _first_argument(call: ast.AST | None) -> ast.expr | None:
    if isinstance(call, ast.Call) and call.args:
        return call.args[0]
    return None


def _static_key(model: ModuleModel, key: ast.expr | None, scope: Scope) -> bool:
    """A key the code knows before the request comes: a literal (``"name"``, ``f"alt_{lang}"``),
    a constant, or the variable of a loop over a literal collection. A key taken from a schema
    the route loads at run time (``form[field.key]`` for each field of an extension's declared
    settings) names fields no static model can declare: the route validates them against that
    schema, and a Pydantic model is not the fix."""
    if key is None:
        return True  # `data.get()` without a key is not a field read we can judge
    if isinstance(key, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(key, ast.Name):
        binding = model.lookup(key.id, scope)
        if binding is None or binding.scope.code_function is None:
            return True  # a module constant (`KEY_FIELD = "name"`) or unknown: keep reading it
        if binding.kind is BindingKind.PARAM:
            return False  # a helper's `key` argument: its caller decides which field
        if binding.kind is BindingKind.FOR:
            # `for key in ("name", "email"):` (or a module-level tuple of them) names fields.
            return _literal_collection(model, binding.value, binding.scope)
        value = binding.value
        return value is None or _static_value(value)
    return False  # `field.key`, `keys[i]`, `make_key()`: computed at run time


def _literal_collection(model: ModuleModel, iterable: ast.expr | None, scope: Scope) -> bool:
    if isinstance(iterable, ast.Call) and model.qualified_name(iterable.func, scope) in (
        "builtins.range",
        "builtins.enumerate",
    ):
        return True  # `body[i]` by index: the items of a list body are read
    if isinstance(iterable, (ast.Tuple, ast.List, ast.Set)):
        return all(_static_value(item) for item in iterable.elts)
    # `ALLOWED_KEYS`, `settings.PROFILE_FIELDS`, `Item.model_fields`: a collection the module
    # holds before any request (a constant, an import, a class), not one the route computes.
    root = iterable
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    if isinstance(root, ast.Name):
        binding = model.lookup(root.id, scope)
        return binding is not None and binding.scope.code_function is None
    return False


def _static_value(value: ast.expr) -> bool:
    return isinstance(value, (ast.Constant, ast.JoinedStr)) or (
        isinstance(value, ast.BinOp) and all(_static_value(v) for v in (value.left, value.right))
    )


def _items_validated(
    model: ModuleModel, parent: ast.AST | None, node: ast.expr, scope: Scope, depth: int
) -> bool:
    """Each item of the iterated body is validated before any of its keys is read
    (``for item in batch: Refund(**item)``)."""
    found = item_target_and_region(parent, node)
    function = scope.code_function
    if found is None or function is None:
        return False
    target, region = found
    if (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(node, ast.Call)
        and node.args
        and enumerated(model, node.args[0], scope) is node
    ):
        target = target.elts[1]  # `for i, row in enumerate(rows)`: the item is `row`
    if not isinstance(target, ast.Name):
        return False
    inside = {id(n) for part in region for n in ast.walk(part)}
    loads = [(load, s) for load, s in name_loads(model, function, target.id) if id(load) in inside]
    if loads and all(converted_to_scalar(model, load, s) for load, s in loads):
        return True  # a JSON array of ids, each converted: no field of an item is read
    uses = _Uses()
    for load, load_scope in loads:
        _classify(model, load, load_scope, uses, depth)
    return uses.first_validation is not None and not uses.reported


def _looked_over(model: ModuleModel, attribute: ast.Attribute) -> bool:
    """``data.items()`` iterated by a comprehension: it builds a derived collection."""
    call = model.parent(attribute)
    if not isinstance(call, ast.Call) or call.func is not attribute:
        return False
    generator = model.parent(call)
    return isinstance(generator, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and (
        generator.generators[0].iter is call
    )


def _helper_validates(
    model: ModuleModel, call: ast.Call, node: ast.expr, scope: Scope, depth: int
) -> bool:
    """The value is passed to a project function that validates that parameter before it
    reads any key (``run_input = await to_run_input(body)`` whose first step is
    ``SendMessageRequest.model_validate(body)``): the helper answers 400 on bad input."""
    if depth >= _HELPER_DEPTH:
        return False
    qualname = model.call_target(call, scope)
    if qualname is None:
        return False
    if node in call.args:
        position: int | None = call.args.index(node)
        keyword = None
    else:
        position = None
        keyword = next((k.arg for k in call.keywords if k.value is node), None)
        if keyword is None:
            return False
    return function_fact(
        model,
        "validates-argument/4",
        qualname,
        lambda owner, function, at: _validates_parameter(
            owner, function, position, keyword, at + 1
        ),
        depth,
        key=f":{position}:{keyword}",
    )


def _validates_parameter(
    model: ModuleModel,
    function: FunctionInfo,
    position: int | None,
    keyword: str | None,
    depth: int,
) -> bool:
    args = function.node.args
    positional = args.posonlyargs + args.args
    if function.is_method and positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    arg: ast.arg | None = None
    if position is not None:
        arg = positional[position] if position < len(positional) else None
    else:
        arg = next((a for a in positional + args.kwonlyargs if a.arg == keyword), None)
    if arg is None:
        return False
    binding = binding_of(model, function.scope, arg)
    if binding is None:
        return False
    uses = _uses_of(model, function, binding, depth)
    return uses.first_validation is not None and not uses.reported


def _unwrapped(model: ModuleModel, read: ast.AST | None, scope: Scope, depth: int) -> bool:
    """``items = body.get("events")`` validated whole next: an envelope, not a field read."""
    if depth >= _HELPER_DEPTH:
        return False
    return envelope_validated(
        model,
        read,
        scope,
        depth,
        lambda function, binding, at: _validated(model, function, binding, at),
    )


def _validated(model: ModuleModel, function: FunctionInfo, binding: Binding, depth: int) -> bool:
    uses = _uses_of(model, function, binding, depth)
    return uses.first_validation is not None and not uses.reported and not uses.forwarded


def _forwards(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    """The body is handed whole to another call that owns its schema (an upstream client,
    a chat handler, a plugin), not to a builtin, a serializer or a logger."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _NOT_FORWARDING_METHODS:
        return False
    qualname = model.qualified_name(func, scope) or ""
    return not qualname.startswith(_NOT_FORWARDING_MODULES)


def _mass_assigning(call: ast.AST | None) -> bool:
    """``update(Item).values(**data)``: a statement method that writes every key as a column."""
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in _MASS_ASSIGNING_METHODS
    )


def _orm_construction(model: ModuleModel, call: ast.AST | None, scope: Scope) -> bool:
    """``Document(**data)`` where ``Document`` is a mapped ORM class of the project: its
    constructor sets attributes, it validates nothing (a Pydantic model's would)."""
    if not isinstance(call, ast.Call):
        return False
    qualname = model.qualified_name(call.func, scope)
    return qualname is not None and model_class_kind(model, qualname) == "orm"


def _validates(model: ModuleModel, call: ast.Call, scope: Scope) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _VALIDATING_METHODS:
        return True
    return (model.qualified_name(func, scope) or "") in _VALIDATING_FUNCTIONS


def _uses_of(model: ModuleModel, function: FunctionInfo, binding: Binding, depth: int = 0) -> _Uses:
    """How the route uses a value, following rebindings that derive from it
    (``data = {k: v for k, v in data.items() if v is not None}`` then ``Model(**data)``):
    a read inside such a derivation transforms the value rather than consuming it."""
    lineage = {id(binding)}
    derivations: list[ast.expr] = []
    for candidate in binding.scope.bindings.get(binding.name, []):
        value = candidate.value
        if (
            candidate is not binding
            and candidate.kind is BindingKind.ASSIGN
            and candidate.unpack_index is None
            and value is not None
            and candidate.line > binding.line
            and any(isinstance(n, ast.Name) and n.id == binding.name for n in ast.walk(value))
        ):
            lineage.add(id(candidate))
            derivations.append(value)
        elif candidate is not binding and _fallback_of(model, binding, candidate):
            lineage.add(id(candidate))
    uses = _Uses()
    for node, scope in name_loads(model, function, binding.name):
        reaching = reaching_binding(model, node, scope)
        if reaching is None or id(reaching) not in lineage:
            continue
        if derivations and any(a in derivations for a in model.ancestors(node)):
            continue
        _classify(model, node, scope, uses, depth)
    return uses


def _fallback_of(model: ModuleModel, binding: Binding, candidate: Binding) -> bool:
    """``try: data = await request.json()`` / ``except ValueError: data = {}``: the empty
    value an ``except`` of the same ``try`` binds when the body does not parse. A read
    after the ``try`` sees either, so it reads the body."""
    value = candidate.value
    empty = (
        (isinstance(value, ast.Dict) and not value.keys)
        or (isinstance(value, ast.List) and not value.elts)
        or (value is not None and is_none(value))
    )
    if candidate.kind is not BindingKind.ASSIGN or not empty:
        return False
    for ancestor in model.ancestors(binding.node):
        if isinstance(ancestor, ast.Try):
            return any(
                a is handler
                for a in model.ancestors(candidate.node)
                for handler in ancestor.handlers
            )
    return False


# ---------------------------------------------------------------- request.json() / form()
# Starlette's limits on a multipart form: ``request.form(max_files=1)`` is still the form.
_FORM_LIMITS = frozenset({"max_files", "max_fields", "max_part_size"})


def _body_reads(model: ModuleModel, function: FunctionInfo) -> list[tuple[ast.Call, str]]:
    """``await request.json()`` / ``await request.form()`` calls run by the route itself, and
    ``async with request.form() as form:`` (the same form, its uploaded files closed after)."""
    found = []
    for ref in model.calls:
        call = ref.node
        assert isinstance(call, ast.Call)
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _BODY_READERS:
            continue
        if ref.scope.code_function is not function or call.args:
            continue
        if call.keywords and (
            func.attr != "form" or any(k.arg not in _FORM_LIMITS for k in call.keywords)
        ):
            continue
        if not model.is_awaited(call) and (
            func.attr != "form" or async_with_target(model, call) is None
        ):
            continue
        receiver = model.evaluate(func.value, ref.scope)
        if isinstance(receiver, Instance) and receiver.type in _REQUEST_TYPES:
            found.append((call, func.attr))
    return found


def _read_by_key(model: ModuleModel, function: FunctionInfo, call: ast.Call) -> bool:
    """Whether the route reads the awaited body by key before validating it."""
    scope = function.scope
    with_target = async_with_target(model, call)
    if with_target is not None:
        return _target_read_by_key(model, function, with_target)
    awaited = model.parent(call)
    assert awaited is not None
    parent = model.parent(awaited)
    if isinstance(parent, (ast.Subscript, ast.Attribute)) or matched_by_key(parent, awaited):
        uses = _Uses()
        _classify(model, awaited, scope, uses)  # type: ignore[arg-type]
        return uses.reported
    target: ast.expr | None = None
    assignment = single_assignment(parent)
    if assignment is not None:
        target = assignment[0]
    elif isinstance(parent, ast.NamedExpr):
        target = parent.target
        holder = model.parent(parent)
        if isinstance(holder, (ast.Subscript, ast.Attribute)) and holder.value is parent:
            # `(data := await request.json())["kind"]`: read where it is bound.
            uses = _Uses()
            _classify(model, parent, scope, uses)
            if uses.reported:
                return True
    return _target_read_by_key(model, function, target)


def _target_read_by_key(
    model: ModuleModel, function: FunctionInfo, target: ast.expr | None
) -> bool:
    """The name the body is bound to is read by key before validation."""
    if not isinstance(target, ast.Name):
        return False
    binding = binding_of(model, function.scope, target)
    if binding is None:
        return False
    return _uses_of(model, function, binding).reported


# ---------------------------------------------------------------- check
# A form read with `request.form()` is not JSON, and the OpenAPI schema shows no body at all.
# What the message says about the body, its schema and the fix: (body, schema, remedy).
_JSON_WORDS = (
    "JSON body",
    "says `object`",
    "declare a Pydantic model (or `TypedDict`) parameter and read its attributes",
)
_FORM_WORDS = (
    "form body",
    "does not describe it",
    "declare its fields as `Form()` parameters (or a model: `Annotated[Model, Form()]`)",
)


def _route_label(route: RouteInfo) -> str:
    return route.display if route.path is None else f"route {route.display}"


def check(model: ModuleModel, reporter: Reporter) -> None:
    if not reporter.enabled("API207"):
        return
    for route in model.fastapi.routes:
        if route.is_websocket:
            continue
        function = route.function
        untyped, has_model = body_params(model, route)
        reads = [] if has_model else _body_reads(model, function)
        if not untyped and not reads:
            continue
        if third_party_endpoint(model, route):
            continue
        for arg in untyped:
            binding = binding_of(model, function.scope, arg)
            if binding is not None:
                # Reported when the route reads it by key: a value only passed on whole
                # (`json=payload`, `{**defaults, **payload}`, a helper) or validated first
                # may be free-form JSON by design.
                if not _uses_of(model, function, binding).reported:
                    continue
            reporter.report(
                "API207",
                arg,
                route=_route_label(route),
                body=_JSON_WORDS[0],
                source=f"in `{arg.arg}`",
                schema=schema_words(model, arg.annotation, function.outer),
                remedy=_JSON_WORDS[2],
            )
        for call, reader in reads:
            if reader == "form" and form_fields_checked(model, function, call):
                continue
            if _read_by_key(model, function, call):
                words = _FORM_WORDS if reader == "form" else _JSON_WORDS
                reporter.report(
                    "API207",
                    call,
                    route=_route_label(route),
                    body=words[0],
                    source=f"from `await request.{reader}()`",
                    # Read from the request, the body is not in the OpenAPI schema at all.
                    schema="does not describe it",
                    remedy=words[2],
                )


FAMILY = Family(
    prefix="API2",
    title="The route contract",
    rules=(API207,),
    check=check,
)
