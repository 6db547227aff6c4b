import marshal
from pathlib import Path


def write_code_cache(path: Path, source: str) -> None:
    code = compile(source, str(path), "exec")
    path.with_suffix(".bin").write_bytes(marshal.dumps(code))
