"""The benchmark chart as a PNG, with only the standard library (zlib + struct).

One row per benchmark: ours/stock on a log scale around a line at 1x (stock), the
bar green where ours is better, red where worse. Text is drawn with a built-in 5x7
pixel font, so no plotting package is needed.
"""

import math
import struct
import zlib

# 5x7 glyphs, one string of 7 rows per character, '#' = ink.
_GLYPHS = {
    "a": "     |     | ### |    #| ####|#   #| ####",
    "b": "#    |#    |#### |#   #|#   #|#   #|#### ",
    "c": "     |     | ### |#    |#    |#   #| ### ",
    "d": "    #|    #| ####|#   #|#   #|#   #| ####",
    "e": "     |     | ### |#   #|#####|#    | ### ",
    "f": "  ## | #   |#### | #   | #   | #   | #   ",
    "g": "     | ####|#   #|#   #| ####|    #| ### ",
    "h": "#    |#    |#### |#   #|#   #|#   #|#   #",
    "i": "  #  |     | ##  |  #  |  #  |  #  | ### ",
    "j": "   # |     |  ## |   # |   # |#  # | ##  ",
    "k": "#    |#    |#  # |# #  |##   |# #  |#  # ",
    "l": " ##  |  #  |  #  |  #  |  #  |  #  | ### ",
    "m": "     |     |## # |# # #|# # #|# # #|#   #",
    "n": "     |     |#### |#   #|#   #|#   #|#   #",
    "o": "     |     | ### |#   #|#   #|#   #| ### ",
    "p": "     |#### |#   #|#   #|#### |#    |#    ",
    "q": "     | ####|#   #|#   #| ####|    #|    #",
    "r": "     |     |# ## |##  #|#    |#    |#    ",
    "s": "     |     | ####|#    | ### |    #|#### ",
    "t": " #   | #   |#### | #   | #   | #  #|  ## ",
    "u": "     |     |#   #|#   #|#   #|#  ##| ## #",
    "v": "     |     |#   #|#   #|#   #| # # |  #  ",
    "w": "     |     |#   #|# # #|# # #|# # #| # # ",
    "x": "     |     |#   #| # # |  #  | # # |#   #",
    "y": "     |#   #|#   #|#   #| ####|    #| ### ",
    "z": "     |     |#####|   # |  #  | #   |#####",
    "0": " ### |#   #|#  ##|# # #|##  #|#   #| ### ",
    "1": "  #  | ##  |  #  |  #  |  #  |  #  | ### ",
    "2": " ### |#   #|    #|   # |  #  | #   |#####",
    "3": "#####|   # |  #  |   # |    #|#   #| ### ",
    "4": "   # |  ## | # # |#  # |#####|   # |   # ",
    "5": "#####|#    |#### |    #|    #|#   #| ### ",
    "6": "  ## | #   |#    |#### |#   #|#   #| ### ",
    "7": "#####|    #|   # |  #  | #   | #   | #   ",
    "8": " ### |#   #|#   #| ### |#   #|#   #| ### ",
    "9": " ### |#   #|#   #| ####|    #|   # | ##  ",
    "_": "     |     |     |     |     |     |#####",
    ".": "     |     |     |     |     | ##  | ##  ",
    "-": "     |     |     |#####|     |     |     ",
    "/": "     |    #|   # |  #  | #   |#    |     ",
    ":": "     | ##  | ##  |     | ##  | ##  |     ",
    "(": "   # |  #  | #   | #   | #   |  #  |   # ",
    ")": " #   |  #  |   # |   # |   # |  #  | #   ",
    " ": "     |     |     |     |     |     |     ",
}

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (170, 170, 170)
GREEN = (60, 160, 80)
RED = (200, 70, 60)


class Canvas:
    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(WHITE) * width * height)

    def rect(self, x0, y0, x1, y1, colour):
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        row = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x, y, string, colour=BLACK, scale=1):
        for ch in string.lower():
            rows = _GLYPHS.get(ch, _GLYPHS[" "]).split("|")
            for dy, row in enumerate(rows):
                for dx, cell in enumerate(row):
                    if cell == "#":
                        self.rect(
                            x + dx * scale,
                            y + dy * scale,
                            x + (dx + 1) * scale,
                            y + (dy + 1) * scale,
                            colour,
                        )
            x += 6 * scale
        return x

    def png(self):
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind, data):
            body = kind + data
            return (
                struct.pack(">I", len(data))
                + body
                + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def render(rows, title):
    """rows: [(label, ratio)] where ratio = how many times better ours is than stock
    (already inverted for lower-is-better measures). Returns PNG bytes."""
    label_w, bar_w, pad, row_h = 6 * 26, 520, 12, 16
    width = pad + label_w + bar_w + 6 * 9 + pad
    height = 40 + row_h * len(rows) + 30
    c = Canvas(width, height)
    c.text(pad, 10, title, scale=2)
    # log10 axis from 1/10x to 1000x; 1x = stock.
    lo, hi = -1.0, 3.0
    x_of = lambda r: pad + label_w + int((math.log10(max(r, 10**lo)) - lo) / (hi - lo) * bar_w)  # noqa: E731
    top = 40
    for decade in range(int(lo), int(hi) + 1):
        x = x_of(10**decade)
        c.rect(x, top - 4, x + 1, top + row_h * len(rows), GREY if decade else BLACK)
        c.text(
            x - 6, top + row_h * len(rows) + 6, ("%gx" % 10**decade).replace("0.1x", ".1x"), GREY
        )
    for i, (label, ratio) in enumerate(rows):
        y = top + i * row_h
        c.text(pad, y + 4, label[:26])
        if ratio is None:
            c.text(x_of(1) + 4, y + 4, "n/a", GREY)
            continue
        x0, x1 = x_of(1), x_of(ratio)
        c.rect(min(x0, x1), y + 3, max(x0, x1) + 1, y + row_h - 2, GREEN if ratio >= 1 else RED)
        c.text(max(x0, x1) + 4, y + 4, "%.2gx" % ratio if ratio < 10 else "%dx" % round(ratio))
    return c.png()
