"""API103 blocking-file-io: reading or writing file contents and tree operations in async code."""

from __future__ import annotations

from fastapi_lint.registry import Rule

API103 = Rule(
    code="API103",
    name="blocking-file-io",
    message="`{call}` is blocking file I/O in {context}; use `anyio` (`anyio.open_file`, `anyio.Path`) or `aiofiles`",
    summary=(
        "Checks for blocking file reads, writes and tree operations in async code "
        "(single metadata calls are API108)."
    ),
    why="Disk I/O blocks the event loop; on network file systems or busy disks for a long time.",
    example=(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/config")\nasync def config() -> str:\n'
        '    with open("config.toml") as f:\n        return f.read()\n'
    ),
    use_instead=(
        "import anyio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/config")\nasync def config() -> str:\n'
        '    return await anyio.Path("config.toml").read_text()\n'
    ),
)

# File contents and tree operations; single metadata calls are API108 (Revision 2).
# Qualified-name patterns (``*`` any run of characters, ``{a,b}`` alternatives).
PATTERNS: tuple[str, ...] = (
    "builtins.open",
    "io.open",
    # `os.fdopen(os.open(...))`: the file object of a low-level descriptor, written
    # like open()'s (atomic writes through mkstemp + os.replace do this).
    "os.fdopen",
    "tempfile.{NamedTemporaryFile,TemporaryFile}",
    "pathlib.Path.{read_text,read_bytes,write_text,write_bytes,open,iterdir,glob,rglob,walk}",
    # Directory scans like os.listdir (tree operations, Revision 2).
    "glob.{glob,iglob}",
    "shutil.{copy,copy2,copyfile,copyfileobj,copytree,move,rmtree,unpack_archive,make_archive}",
    "os.{listdir,scandir,walk}",
    "zipfile.ZipFile.{extractall,extract}",
    "tarfile.TarFile.{extractall,extract}",
    # Adding a file by name reads it from disk (a directory: the whole tree), wherever
    # the archive goes; `writestr`/`addfile` take bytes or a file object and stay silent.
    "zipfile.ZipFile.write",
    "tarfile.TarFile.add",
    "fastapi.UploadFile.file.{read,write,readlines,readline}",
    # Audio files by path (a file object or buffer is memory: path_or_buffer.py).
    "wave.open",
    "soundfile.{read,write}",
    # A workbook read from disk by path (bytes in a BytesIO are memory: path_or_buffer.py).
    "openpyxl.load_workbook",
    "openpyxl.reader.excel.load_workbook",
)
