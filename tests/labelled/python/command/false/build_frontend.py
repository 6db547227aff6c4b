"""Build the frontend before packaging: python build.py"""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def build():
    subprocess.check_call("npm ci && npm run build", shell=True, cwd=ROOT / "frontend")


if __name__ == "__main__":
    build()
