# rp2's usual frozen content without upstream's extmod/asyncio (ours replaces it).
freeze("$(PORT_DIR)/modules")
if options.micropython_lib:
    require("onewire")
    require("ds18x20")
    require("dht")
    require("neopixel")
