"""Where things live in the project. Everything built or fetched goes under build/
or firmware/images/, both gitignored."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOARDS_DIR = ROOT / "boards"
BUILD_DIR = ROOT / "build"
IMAGES_DIR = ROOT / "firmware" / "images"
TOP_MANIFEST = ROOT / "manifest.py"
C_MODULES_DIR = ROOT / "c_modules"
ASYNCIO_INIT = ROOT / "frozen" / "asyncio" / "__init__.py"
REQUIREMENTS = ROOT / "requirements.txt"
VENV_DIR = ROOT / ".venv"
