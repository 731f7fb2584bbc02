# ESP32_GENERIC_QEMU: QEMU's network card (-nic user,model=open_eth) as network.LAN, up
# at every boot (a frozen boot.py runs before one on the filesystem would). DHCP from
# QEMU's user network ends on its own; 127.0.0.1 works at once.
def _lan():
    import machine
    import network

    lan = network.LAN(
        mdc=machine.Pin(23), mdio=machine.Pin(18), phy_type=network.PHY_DP83848, phy_addr=1
    )
    lan.active(True)


try:
    _lan()
except Exception as e:
    print("boot.py: no network.LAN:", repr(e))
del _lan
