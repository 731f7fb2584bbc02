# esp32's usual frozen content without upstream's extmod/asyncio (ours replaces it).
freeze("$(PORT_DIR)/modules")
if options.micropython_lib:
    require("bundle-networking")
    require("aioespnow")
    require("dht")
    require("ds18x20")
    require("neopixel")
    require("onewire")
    require("umqtt.robust")
    require("umqtt.simple")
    require("upysh")
