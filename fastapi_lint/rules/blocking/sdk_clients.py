"""Sync LLM provider SDK clients (API101): ``client.chat.completions.create(...)``.

The OpenAI, Anthropic and Groq Python SDKs wrap a sync ``httpx.Client`` in their sync
client classes: every method of their resources (``chat.completions.create``,
``embeddings.create``, ``messages.create``, ``models.list``) sends an HTTP request and
waits for the answer, seconds for a completion. The call reaches the method through
attributes of the client (``client.chat.completions``), which simple flow does not type,
so the target is named here from the first typed receiver of the attribute chain:
``client.chat.completions.create`` on an ``openai.OpenAI`` is
``openai.OpenAI.chat.completions.create``. The async clients (``AsyncOpenAI``,
``AsyncAnthropic``) are other classes: awaited, they never match.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fastapi_lint.semantic import stubs

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel
    from fastapi_lint.semantic.scopes import Scope

# Sync client classes -> the async client to suggest.
SYNC_SDK_CLIENTS: dict[str, str] = {
    "openai.OpenAI": "`openai.AsyncOpenAI`",
    "openai.Client": "`openai.AsyncOpenAI`",
    "openai.AzureOpenAI": "`openai.AsyncAzureOpenAI`",
    "anthropic.Anthropic": "`anthropic.AsyncAnthropic`",
    "anthropic.Client": "`anthropic.AsyncAnthropic`",
    "anthropic.AnthropicBedrock": "`anthropic.AsyncAnthropicBedrock`",
    "anthropic.AnthropicVertex": "`anthropic.AsyncAnthropicVertex`",
    "groq.Groq": "`groq.AsyncGroq`",
    "groq.Client": "`groq.AsyncGroq`",
}

# API101 patterns: any resource method reached from a sync client. The pre-1.0 OpenAI
# module API (`openai.ChatCompletion.create`) blocks the same way (`acreate` is its async).
PATTERNS: tuple[str, ...] = (
    *(f"{client}.*.*" for client in SYNC_SDK_CLIENTS),
    "openai.{ChatCompletion,Completion,Embedding,Image,Moderation}.create",
)

# Client methods that send nothing: options, copies, raw-response wrappers, closing.
_LOCAL_METHODS = frozenset(
    {"with_options", "copy", "close", "with_raw_response", "with_streaming_response"}
)

_MAX_ATTRIBUTES = 6


def sdk_call_target(model: ModuleModel, call: ast.Call, scope: Scope) -> str | None:
    """``openai.OpenAI.chat.completions.create`` for a resource method of a sync SDK client
    reached through attributes (``client.chat.completions.create(...)``,
    ``self.client.embeddings.create(...)``); None for anything else."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    path: list[str] = [func.attr]
    receiver = func.value
    for _ in range(_MAX_ATTRIBUTES):
        if not isinstance(receiver, (ast.Attribute, ast.Name)):
            return None
        client = model.type_of(receiver, scope)
        if client is not None:
            client = stubs.canonical(client)
            if client not in SYNC_SDK_CLIENTS or len(path) < 2:
                return None  # a method of the client itself (`client.close()`), or not one
            if any(part in _LOCAL_METHODS or part.startswith("_") for part in path):
                return None
            return ".".join([client, *reversed(path)])
        if not isinstance(receiver, ast.Attribute):
            return None
        path.append(receiver.attr)
        receiver = receiver.value
    return None


def sdk_alternative(target: str) -> str | None:
    """The async client to suggest for a sync SDK call target."""
    for client, alternative in SYNC_SDK_CLIENTS.items():
        if target.startswith(client + "."):
            return alternative
    if target.startswith("openai."):
        return "`openai.AsyncOpenAI`"
    return None
