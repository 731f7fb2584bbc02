# Read after a port's own Makefile (make -f Makefile -f port_make.mk VAR=...): the
# variables the firmware tool gives make on its command line are for the port's make
# alone. Make would hand them to every make started under it, through MAKEFLAGS and the
# environment, however far down: the mpy-cross make that esp32's cmake starts took our
# BUILD and wrote its headers into the board's build folder.
unexport $(foreach v,$(MAKEOVERRIDES),$(if $(findstring =,$(v)),$(firstword $(subst :, ,$(subst =, ,$(v))))))
MAKEOVERRIDES :=
