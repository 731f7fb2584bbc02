"""Host tooling that fetches MicroPython, builds our images, runs and flashes them.

Run `python3 -m firmware --help`. Every user-facing failure is a FirmwareError
(see errors.py) and is printed as one line, never as a traceback.
"""
