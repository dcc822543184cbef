# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/live/pcapw.py - what the live tests' capture generators share: the classic pcap file
header (Ethernet, microseconds), a record, and the Internet checksum (RFC 1071)."""
import struct

PCAP_HDR = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def rec(ts_s, ts_us, frame, wire=0):
    """One pcap record: its header (captured length, wire length) and the frame."""
    return struct.pack("<IIII", ts_s, ts_us, len(frame), wire or len(frame)) + frame


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
