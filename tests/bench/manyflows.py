#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/manyflows.py OUT.pcap FLOWS [PACKETS_PER_FLOW] - FLOWS distinct IPv4/UDP flows of
# minimal frames, all open at once, for the memory benchmark. tools/ftgen models real traffic
# (about 13 packets and 0.5 KiB of capture per flow, 40000 new flows a second of capture time), so
# 1M concurrent flows from it take ~10M packets and ~7 GB; here a flow costs 76 bytes of capture.
# Flow i: 10.(i>>16).(i>>8).(i) port 1024+i%60000 -> 198.51.100.(1+i%200) port 9999, 18 bytes of
# payload; packet k of a flow follows packet k-1 of every flow, timestamps spread over one second.
import struct, sys

out, n = sys.argv[1], int(sys.argv[2])
per = int(sys.argv[3]) if len(sys.argv) > 3 else 1
if not 1 <= n <= 16000000 or not 1 <= per <= 100:
    sys.exit("usage: manyflows.py OUT.pcap FLOWS(1..16M) [PACKETS_PER_FLOW(1..100)]")

ETH = bytes.fromhex("020000000002" "020000000001" "0800")
PAY = b"flowtower-bench-mf"  # 18 bytes: 14 + 20 + 8 + 18 = 60, the minimum frame


def csum(h):
    s = sum(struct.unpack("!10H", h))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


total = n * per
step = max(1, 1000000 // total)  # microseconds between packets (one second in all, at least 1 us)
with open(out, "wb", buffering=1 << 22) as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 0
    rec = struct.Struct("<IIII")
    for k in range(per):
        buf = bytearray()
        for i in range(n):
            src = bytes((10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff))
            dst = bytes((198, 51, 100, 1 + i % 200))
            ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, (i + k) & 0xffff, 0, 64, 17, 0, src, dst))
            struct.pack_into("!H", ip, 10, csum(ip))
            udp = struct.pack("!HHHH", 1024 + i % 60000, 9999, 26, 0)
            buf += rec.pack(1714564800 + t // 1000000, t % 1000000, 60, 60)
            buf += ETH + ip + udp + PAY
            t += step
            if len(buf) >= 1 << 22:
                f.write(buf)
                buf = bytearray()
        f.write(buf)
print("%d flows, %d packets" % (n, total))
