"""API101 blocking-http-call: requests, urllib, urllib3, http.client and sync httpx in async code."""

from __future__ import annotations

from fastapi_lint.registry import Rule
from fastapi_lint.rules.blocking import sdk_clients

API101 = Rule(
    code="API101",
    name="blocking-http-call",
    message="`{call}` is a blocking HTTP call in {context}; use {http_client} and `await` it",
    summary=(
        "Checks for blocking HTTP requests (requests, urllib, urllib3, http.client, sync httpx, "
        "sync LLM provider SDK clients) in async code."
    ),
    why=(
        "An `async def` route runs on the event loop. A blocking HTTP request stops the loop until the "
        "remote server answers: every other request of the worker waits with it. The sync "
        "clients of the OpenAI, Anthropic and Groq SDKs (`OpenAI()`, `Anthropic()`) send their "
        "requests with a sync `httpx.Client`: `client.chat.completions.create(...)` holds the "
        "loop for the whole completion; their async clients (`AsyncOpenAI`) do not."
    ),
    example=(
        "import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/weather")\nasync def weather() -> dict[str, float]:\n'
        '    return requests.get("https://api.example.com/weather").json()\n'
    ),
    use_instead=(
        "import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/weather")\nasync def weather() -> dict[str, float]:\n'
        "    async with httpx.AsyncClient() as client:\n"
        '        response = await client.get("https://api.example.com/weather")\n'
        "    return response.json()\n"
    ),
    options="`extra-blocking-calls`: more qualified names (with `*`) to treat as blocking.",
)

_HTTP_VERBS = "{get,post,put,patch,delete,head,options,request}"
_HTTPX_VERBS = "{get,post,put,patch,delete,head,options,request,stream}"

# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = (
    f"requests.{_HTTP_VERBS}",
    f"requests.Session.{_HTTP_VERBS}",
    "requests.Session.send",
    "urllib.request.urlopen",
    "urllib.request.urlretrieve",  # urlopen() plus a file write
    "urllib.request.OpenerDirector.open",
    "urllib3.request",
    "urllib3.PoolManager.{request,urlopen,request_encode_url,request_encode_body}",
    "http.client.HTTPConnection.{request,getresponse,connect}",
    f"httpx.{_HTTPX_VERBS}",
    f"httpx.Client.{_HTTPX_VERBS}",
    "httpx.Client.send",
    *sdk_clients.PATTERNS,
)


def http_client(target: str) -> str:
    """The async client a message suggests for a blocking HTTP call target."""
    return sdk_clients.sdk_alternative(target) or "`httpx.AsyncClient`"
