# primitives.esp32_touch as in micropython-async v3.
from .pushbutton import ESP32Touch  # noqa: F401
