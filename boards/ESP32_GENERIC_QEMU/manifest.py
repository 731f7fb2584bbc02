# ESP32_GENERIC's frozen content less what needs a radio (aioespnow), and boot.py: it
# brings up QEMU's network card at every boot.
freeze("$(PORT_DIR)/modules")
freeze("$(BOARD_DIR)", "boot.py")
if options.micropython_lib:
    require("bundle-networking")
    require("dht")
    require("ds18x20")
    require("neopixel")
    require("onewire")
    require("umqtt.robust")
    require("umqtt.simple")
    require("upysh")
