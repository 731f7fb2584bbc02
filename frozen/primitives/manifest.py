# primitives: micropython-async v3's hardware and event primitives, ours,
# on our asyncio (it needs the "all" extras tier). include() this manifest.
import os

# (this file is in the folder, not in the package)
files = sorted(f for f in os.listdir(".") if f.endswith(".py") and f != "manifest.py")
package("primitives", files, base_path="..", opt=3)
