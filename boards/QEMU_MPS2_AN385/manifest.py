# The qemu port freezes only test helpers by default (unittest from micropython-lib);
# keep unittest when micropython-lib is at hand so on-device unittest code runs.
if options.micropython_lib:
    require("unittest")
