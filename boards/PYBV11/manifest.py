# stm32's usual pyboard content without upstream's extmod/asyncio (ours replaces it).
if options.micropython_lib:
    require("dht")
    require("onewire")
    require("lcd160cr")
