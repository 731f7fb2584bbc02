# network.LAN under QEMU. Its esp32 machine has no on-chip Ethernet MAC (EMAC), but an
# OpenCores one (open_eth), for which ESP-IDF has a driver. network.LAN asks the IDF for
# the EMAC (esp_eth_mac_new_esp32); --wrap sends that call to qemu_openeth.c, which makes
# an open_eth MAC instead. The rest of network.LAN (PHY, netif, DHCP) is upstream's.
add_library(usermod_qemu_openeth INTERFACE)
target_sources(usermod_qemu_openeth INTERFACE ${CMAKE_CURRENT_LIST_DIR}/qemu_openeth.c)
target_link_options(usermod_qemu_openeth INTERFACE
    -Wl,--undefined=__wrap_esp_eth_mac_new_esp32
    -Wl,--wrap=esp_eth_mac_new_esp32
)
target_link_libraries(usermod INTERFACE usermod_qemu_openeth)
