// network.LAN's MAC under QEMU (see qemu_openeth.cmake): QEMU's network card, an
// OpenCores Ethernet MAC, where the on-chip EMAC would be. Use it as
//   network.LAN(mdc=Pin(23), mdio=Pin(18), phy_type=network.PHY_DP83848, phy_addr=1)
// (QEMU's PHY answers at address 1 only; mdc and mdio are required, and unused).
#include "sdkconfig.h"
#include "esp_eth.h"
#include "esp_eth_mac.h"
#if __has_include("esp_eth_mac_openeth.h")
#include "esp_eth_mac_openeth.h"
#endif

#if !CONFIG_ETH_USE_OPENETH
#error "ESP32_GENERIC_QEMU needs CONFIG_ETH_USE_OPENETH=y (sdkconfig.qemu)"
#endif

esp_eth_mac_t *__wrap_esp_eth_mac_new_esp32(const eth_esp32_emac_config_t *esp32_config,
    const eth_mac_config_t *config);

esp_eth_mac_t *__wrap_esp_eth_mac_new_esp32(const eth_esp32_emac_config_t *esp32_config,
    const eth_mac_config_t *config) {
    (void)esp32_config;  // the EMAC's pins and clock: open_eth has neither
    return esp_eth_mac_new_openeth(config);
}
