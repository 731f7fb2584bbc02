# threadsafe: micropython-async v3's package name for our asyncio's
# thread-safe primitives (include() this manifest).
import os

# (this file is in the folder, not in the package)
files = sorted(f for f in os.listdir(".") if f.endswith(".py") and f != "manifest.py")
package("threadsafe", files, base_path="..", opt=3)
