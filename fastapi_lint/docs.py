"""Rule pages, generated from the registry (``fastapi-lint rule``, docs/rules.md, SARIF).

Every page has the same sections, as ruff's: *What it does*, *Why is this
bad?*, *Example*, *Use instead*, *Fix safety* (fixable rules only) and
*Options* (rules with options only).

Regenerate the catalogue with::

    fastapi-lint rule --all --output-format markdown > docs/rules.md
"""

from __future__ import annotations

import json
from typing import Any

from fastapi_lint.project.serving import SERVING_PREFIXES
from fastapi_lint.registry import FixAvailability, Rule, all_rules, families, family_sections

REGENERATE = "fastapi-lint rule --all --output-format markdown > docs/rules.md"

# The contract's Revision 2, "Serving code": applied by the engine to these families.
SERVING_NOTE = (
    "Only in code that serves requests. Not reported by default: async functions whose every "
    "caller in the project is a one-shot runner (`asyncio.run`, `anyio.run`, "
    "`loop.run_until_complete`, asgiref's `async_to_sync(job)` in a worker task, also the "
    "coroutines a function gathers into a list it hands to "
    "one: `loop.run_until_complete(asyncio.gather(*jobs))`), a CLI command (`click`/`typer`/`cyclopts`, also through a "
    "project subclass of their app such as `class AsyncTyper(typer.Typer)` or on a group "
    "imported from another module, or a def nested in a factory that registers it: "
    "`app.command(name)(command)`), an "
    '`if __name__ == "__main__":` block or start-up code (`lifespan`, `on_event`, and in raw '
    'ASGI middleware a call under `if scope["type"] == "lifespan":` or a `lifespan.*` '
    "message), directly or "
    "through other such functions; modules under a `scripts/`, `migrations/`, `alembic/` or "
    "`versions/` folder. A function with a serving caller (a route, "
    "dependency, middleware, background task...) or with no caller in the project is serving "
    "code, and so is a handler a closure factory returns for a router to register "
    "(`router.add_api_route(path, make_create(name))`, whoever builds the app), a task a "
    "`lifespan` starts (`asyncio.create_task(poll())`, also through a "
    "helper it awaits), a job it schedules (`scheduler.add_job(sync_rates, ...)`) or a function "
    'it stores in an object of a project class (`Tool("write_file", write_file)` in a tool '
    "registry): it runs on the serving loop while the server serves. Methods follow their "
    "objects: when every "
    "`Broker(...)` of the project sits in such one-shot code (a function `asyncio.run` runs, a "
    "CLI command, a `__main__` block) and the object stays there (never stored on `app.state`, "
    "another object, a container or a module global, nor returned), the methods of `Broker` are "
    "not serving code; when every one sits in start-up code that enters it (`async with obj:`, "
    "`await stack.enter_async_context(obj)`), its `__aenter__`/`__aexit__` are start-up and "
    "shutdown code (a task they start still serves). pytest is a one-shot runner too: tests (`test*` "
    "functions and methods of `Test*` classes and `unittest` cases) and fixtures (`pytest.fixture`, "
    "`pytest_asyncio.fixture`) run once each in a loop run of their own, so they and the test-file "
    "helpers only they call are not reported; routes, dependencies and middleware defined in test "
    "files still are (the app under test serves requests), and calls from tests never make the "
    "application's own functions non-serving. An RQ job (`@job` of `rq.decorators`) runs one-shot "
    "in its worker's loop. Set `serving-code-only = false` in `[tool.fastapi-lint]` "
    "(`--no-serving-code-only`; flake8: `fastapi-serving-code-only = false`) to report everywhere."
)
# rules/debug_gates.py: the API1xx calls a debugging environment variable turns on.
DEBUG_NOTE = (
    "Not reported either: a call that runs only when a debugging environment variable is set "
    "(its name contains `DUMP`, `DEBUG` or `CAPTURE`; read with `os.environ.get`/`os.getenv` "
    'without a default that counts as set), under `if os.getenv("APP_DEBUG"):` or after '
    '`if not os.environ.get("X_DUMP_INPUTS"): return`: a developer\'s capture, off in production; '
    "likewise under `if self.debug:` when the module only ever sets that attribute to `False` "
    "or `None` (`self.debug = False` in `__init__`, flipped by hand while debugging)."
)
OPT_IN_NOTE = (
    "Off by default (opt-in). Turn it on by its code: `fastapi-lint check --extend-select {code}`, "
    '`extend-select = ["{code}"]` in `[tool.fastapi-lint]`, or `--select ALL`; a prefix such as '
    "`API1` does not select it. flake8: `--enable-extensions={code}` (or `{code}` in `select`/"
    "`extend-select`)."
)


def _sections(rule: Rule, level: int) -> list[str]:
    h = "#" * level
    parts = [
        f"{h} What it does\n\n{rule.summary.strip()}\n",
        f"{h} Why is this bad?\n\n{rule.why.strip()}\n",
        f"{h} Example\n\n```python\n{rule.example.rstrip()}\n```\n",
        f"{h} Use instead\n\n```python\n{rule.use_instead.rstrip()}\n```\n",
    ]
    if rule.fix is not FixAvailability.NONE:
        safety = (
            "The fix is safe: it keeps the program's behaviour."
            if rule.fix is FixAvailability.SAFE
            else "The fix is unsafe: it may change behaviour; it is applied only with "
            "`--unsafe-fixes`."
        )
        description = f"{rule.fix_description.strip()}\n\n" if rule.fix_description else ""
        parts.append(f"{h} Fix safety\n\n{description}{safety}\n")
    if rule.code.startswith(SERVING_PREFIXES):
        note = f"{SERVING_NOTE}\n\n{DEBUG_NOTE}" if rule.code.startswith("API1") else SERVING_NOTE
        parts.append(f"{h} Where it applies\n\n{note}\n")
    if rule.opt_in:
        parts.append(f"{h} Default\n\n{OPT_IN_NOTE.format(code=rule.code)}\n")
    if rule.options:
        parts.append(f"{h} Options\n\n{rule.options.strip()}\n")
    return parts


def _family_title(rule: Rule) -> str:
    for family in families():
        if rule in family.rules:
            return f"{family.prefix}xx: {family.title}"
    return rule.family


def rule_markdown(rule: Rule) -> str:
    """The page printed by ``fastapi-lint rule CODE``."""
    fix = {
        FixAvailability.NONE: "",
        FixAvailability.SAFE: " Fix is always available.",
        FixAvailability.UNSAFE: " Fix is available (unsafe).",
    }[rule.fix]
    head = f"# {rule.name} ({rule.code})\n\nFamily: {_family_title(rule)}.{fix}\n"
    return "\n".join([head, *_sections(rule, 2)])


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": _family_title(rule),
        "message": rule.message,
        "summary": rule.summary,
        "why": rule.why,
        "example": rule.example,
        "use_instead": rule.use_instead,
        "fix": rule.fix.value,
        "fix_description": rule.fix_description,
        "options": rule.options,
        "opt_in": rule.opt_in,
        "url": rule.url or None,
        "explanation": rule_markdown(rule),
    }


def rules_json(rules: list[Rule]) -> str:
    return json.dumps([rule_dict(r) for r in rules], indent=2, ensure_ascii=False) + "\n"


def catalogue_markdown() -> str:
    """docs/rules.md: every registered rule, by family."""
    out = [
        "# Rules\n",
        f"<!-- Generated from the registry: do not edit. Regenerate with:\n     {REGENERATE} -->\n",
        "Every rule has a code (`API101`) and a name (`blocking-http-call`). "
        "Select or ignore them by code or prefix (`--select API1`), silence one line with "
        "`# noqa: API101`. `fastapi-lint rule API101` prints one page.\n",
    ]
    rules = all_rules()
    for prefix, title, family_rules in family_sections():
        if not family_rules:
            continue
        out.append(f"## {prefix}xx: {title}\n")
        out.append("| code | name | what it checks |\n|---|---|---|")
        for rule in family_rules:
            anchor = f"{rule.code.lower()}-{rule.name}"
            summary = rule.summary.replace("|", "\\|").strip()
            out.append(f"| [{rule.code}](#{anchor}) | {rule.name} | {summary} |")
        out.append("")
        for rule in family_rules:
            if rule.code not in rules:
                continue
            fix = "" if rule.fix is FixAvailability.NONE else f" (fix: {rule.fix.value})"
            out.append(f"### {rule.code}: {rule.name}\n")
            out.append(f"Message: {rule.message}{fix}\n")
            out.extend(_sections(rule, 4))
    return "\n".join(out).rstrip("\n") + "\n"
