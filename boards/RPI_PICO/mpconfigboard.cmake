# Raspberry Pi Pico with our asyncio: upstream's board settings; the firmware tool
# passes the frozen manifest and user C modules.
include(${CMAKE_SOURCE_DIR}/boards/RPI_PICO/mpconfigboard.cmake)
