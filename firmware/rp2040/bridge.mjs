// Runs an RP2040 image (UF2) in rp2040js and serves the board's USB CDC REPL on a pty
// master fd handed in by firmware/rp2040js.py, so the runner and mpremote talk to it as
// to a Pico on /dev/ttyACM0.
//
//   node bridge.mjs --rp2040js DIR --bootrom FILE --uf2 FILE --fd N
//                   [--wire OUT:IN ...] [--uart-loop N ...]
//
// --wire OUT:IN   a jumper: GPIO IN reads what GPIO OUT drives (pin IRQ tests)
// --uart-loop N   UART N's TX wired to its own RX
//
// Stdout says "ready" once the host side has configured the CDC interface. Exit status 3:
// the watchdog rebooted the chip (machine.reset()); a fresh process is a fresh board.
// BRIDGE_DEBUG=1 in the environment: say on stderr where and when the chip rests.
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import { pathToFileURL } from 'node:url';

const EXIT_WATCHDOG = 3;
const SLICE_MS = 25; // run the CPU this long between turns of Node's event loop
const UF2_MAGIC = [0x0a324655, 0x9e5d5157, 0x0ab16f30];
const UF2_FLAG_NOT_MAIN_FLASH = 0x1;

function die(message) {
  process.stderr.write(`rp2040js bridge: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { wire: [], uartLoop: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) die(`${key} needs a value`);
    if (key === '--wire') {
      const [out, inp] = value.split(':').map(Number);
      opts.wire.push([out, inp]);
    } else if (key === '--uart-loop') {
      opts.uartLoop.push(Number(value));
    } else {
      opts[key.replace(/^--/, '')] = value;
    }
  }
  for (const key of ['rp2040js', 'bootrom', 'uf2', 'fd']) {
    if (!opts[key]) die(`--${key} is required`);
  }
  return opts;
}

// UF2: 512-byte blocks, each carrying up to 476 bytes for one flash address.
function loadUF2(data, flash) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let blocks = 0;
  for (let offset = 0; offset + 512 <= data.length; offset += 512) {
    const word = (i) => view.getUint32(offset + i * 4, true);
    if (word(0) !== UF2_MAGIC[0] || word(1) !== UF2_MAGIC[1] || view.getUint32(offset + 508, true) !== UF2_MAGIC[2]) {
      die(`not a UF2 block at byte ${offset}`);
    }
    if (word(2) & UF2_FLAG_NOT_MAIN_FLASH) continue;
    const address = word(3);
    const size = word(4);
    const at = address - 0x10000000;
    if (at < 0 || at + size > flash.length || size > 476) die(`UF2 block for 0x${address.toString(16)} is outside flash`);
    flash.set(data.subarray(offset + 32, offset + 32 + size), at);
    blocks++;
  }
  if (!blocks) die('the UF2 file holds no flash blocks');
}

const opts = parseArgs(process.argv.slice(2));
const lib = await import(pathToFileURL(path.join(opts.rp2040js, 'dist', 'esm', 'index.js')).href);
const { RP2040, USBCDC, GPIOPinState, ConsoleLogger, LogLevel } = lib;

const mcu = new RP2040();
mcu.logger = new ConsoleLogger(LogLevel.Error);
const bootrom = fs.readFileSync(opts.bootrom);
if (bootrom.length !== 16 * 1024) die(`${opts.bootrom}: a bootrom is 16 KiB, not ${bootrom.length} bytes`);
mcu.loadBootrom(new Uint32Array(bootrom.buffer, bootrom.byteOffset, 4096)); // resets, flash erased
loadUF2(fs.readFileSync(opts.uf2), mcu.flash);

// --- the host's end of the serial line ---
// A pty master is a TTY to Node: tty.ReadStream reads it and, being a socket, writes it too.
const line = new tty.ReadStream(Number(opts.fd));
// The launcher holds the pty's other side open for as long as it wants the board: when
// that goes, so does the board (and nothing is left running).
const hostGone = () => process.exit(0);
line.on('error', hostGone);
line.on('end', hostGone);

// --- USB CDC: the REPL ---
const cdc = new USBCDC(mcu.usbCtrl);
const hostToDevice = []; // Buffers not yet taken by the device
let pendingRead = null; // an OUT transfer the device armed while we had nothing to send
cdc.onDeviceConnected = () => process.stdout.write('ready\n');
cdc.onSerialData = (bytes) => line.write(Buffer.from(bytes));
// Answer an OUT transfer only once there is data: a zero-length answer would make the
// device re-arm at once, and the CPU would never rest.
mcu.usbCtrl.onEndpointRead = (endpoint, size) => {
  if (endpoint !== cdc.outEndpoint) return; // as USBCDC: only the data OUT endpoint
  pendingRead = { endpoint, size };
  feedDevice();
};

function feedDevice() {
  if (!pendingRead || !hostToDevice.length) return;
  const { endpoint, size } = pendingRead;
  const chunk = new Uint8Array(size);
  let n = 0;
  while (n < size && hostToDevice.length) {
    const head = hostToDevice[0];
    const take = Math.min(size - n, head.length);
    chunk.set(head.subarray(0, take), n);
    n += take;
    if (take === head.length) hostToDevice.shift();
    else hostToDevice[0] = head.subarray(take);
  }
  pendingRead = null;
  mcu.usbCtrl.endpointReadDone(endpoint, chunk.subarray(0, n));
  wake();
}

line.on('data', (data) => {
  hostToDevice.push(data);
  feedDevice();
});

// --- test wiring ---
for (const [out, inp] of opts.wire) {
  mcu.gpio[out].addListener((state) => {
    const level = state === GPIOPinState.High || state === GPIOPinState.InputPullUp;
    // setInputValue() latches an edge even when the level is unchanged: only on changes.
    if (mcu.gpio[inp].rawInputValue !== level) {
      mcu.gpio[inp].setInputValue(level);
      wake();
    }
  });
}
// rp2040js raises a UART's TX interrupt again every time the interrupt state is looked at,
// so MicroPython's handler (TX interrupt always enabled) would run forever. A PL011 raises it
// when its TX FIFO drains to the trigger level: here, once per byte sent (TX is instant).
const UART_TX_INTERRUPT = 1 << 5;
for (const [n, uart] of mcu.uart.entries()) {
  const loop = opts.uartLoop.includes(n);
  uart.checkInterrupts = function () {
    this.rp2040.setInterrupt(this.irq, !!(this.interruptStatus & this.interruptMask));
  };
  uart.onByte = (byte) => {
    if (loop) uart.feedByte(byte);
    uart.interruptStatus |= UART_TX_INTERRUPT;
    uart.checkInterrupts();
  };
}

const WATCHDOG_BASE = 0x40058000;
mcu.findPeripheral(WATCHDOG_BASE).onWatchdogTrigger = () => {
  running = false;
  // What the board printed last must reach the host before the process ends.
  line.end(() => process.exit(EXIT_WATCHDOG));
  setTimeout(() => process.exit(EXIT_WATCHDOG), 2000);
};

// --- the CPU ---
// Instead of rp2040js's Simulator, which spins the host CPU while the chip sleeps with no
// timer armed, the chip rests until the host gives it something (data, a pin edge).
const { core, clock } = mcu;
const cycleNanos = 1e9 / 125e6;
let running = true;
let resting = false;

function wake() {
  if (resting && running) {
    resting = false;
    setImmediate(step);
  }
}

function step() {
  const until = performance.now() + SLICE_MS;
  for (let i = 0; running; i++) {
    if (core.waiting) {
      if (!clock.nextAlarm) {
        resting = true; // WFI/WFE with nothing due: only the host can wake it
        if (process.env.BRIDGE_DEBUG) process.stderr.write(`rest at pc=${core.PC.toString(16)} t=${clock.nanos / 1e6}ms\n`);
        return;
      }
      clock.tick(clock.nanosToNextAlarm); // jump to the next timer event
    } else {
      clock.tick(core.executeInstruction() * cycleNanos);
    }
    if ((i & 0x3ff) === 0 && performance.now() > until) break;
  }
  if (running) setImmediate(step);
}

process.on('SIGTERM', () => process.exit(0));
// Start at boot2, the flash image's first 256 bytes, as the bootrom's flash boot ends
// (the bootrom's own reset path waits on hardware rp2040js does not model). The bootrom
// stays mapped for the ROM functions the SDK looks up.
core.PC = 0x10000000;
step();
