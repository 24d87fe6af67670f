"""API104 blocking-subprocess: waiting for a child process in async code."""

from __future__ import annotations

from fastapi_lint.registry import Rule
from fastapi_lint.rules.blocking._common import OFFLOAD_HINT

API104 = Rule(
    code="API104",
    name="blocking-subprocess",
    message="`{call}` runs a subprocess and blocks the event loop in {context}; use `asyncio.create_subprocess_exec`, `anyio.run_process` or "
    + OFFLOAD_HINT,
    summary=(
        "Checks for blocking subprocess calls in async code; `Popen` when the function waits "
        "for it (spawning only is API108)."
    ),
    why="Waiting for a child process blocks the event loop for as long as the process runs.",
    example=(
        "import subprocess\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/build")\nasync def build() -> None:\n    subprocess.run(["make"], check=True)\n'
    ),
    use_instead=(
        "import anyio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/build")\nasync def build() -> None:\n    await anyio.run_process(["make"])\n'
    ),
)

# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = (
    "subprocess.{run,call,check_call,check_output,Popen,getoutput,getstatusoutput}",
    "subprocess.Popen.{communicate,wait}",
    "os.{system,popen,wait,waitpid,wait3,wait4,waitid}",
)
