# ESP32_GENERIC without radios, for Espressif's QEMU (qemu-system-xtensa -machine esp32),
# which models neither: ESP32_GENERIC's settings, then sdkconfig.qemu (later fragments win).
include(${CMAKE_SOURCE_DIR}/boards/ESP32_GENERIC/mpconfigboard.cmake)
list(APPEND SDKCONFIG_DEFAULTS ${CMAKE_CURRENT_LIST_DIR}/sdkconfig.qemu)

# network.LAN on QEMU's open_eth card: a user C module of this board's, beside the
# firmware tool's (cmake reads this file before the port includes the user modules).
set(USER_C_MODULES ${USER_C_MODULES} ${CMAKE_CURRENT_LIST_DIR}/qemu_openeth.cmake)
