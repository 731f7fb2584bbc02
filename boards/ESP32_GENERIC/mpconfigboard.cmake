# ESP32 generic module with our asyncio: upstream's board settings. cmake runs in the
# port folder (CMAKE_SOURCE_DIR), which upstream's relative sdkconfig paths expect.
# The firmware tool passes the frozen manifest and user C modules.
include(${CMAKE_SOURCE_DIR}/boards/ESP32_GENERIC/mpconfigboard.cmake)
