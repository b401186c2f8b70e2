#!/usr/bin/env python3
"""Writes an HTTP download trace for bench/tcp_replay.sh: a client at
10.0.0.1 getting /bytes/N from a server at 10.0.0.2 that answers as
examples/httpd does (same head, same pattern), shaped as tcpdump records it
on Linux's loopback (MSS 65495, timestamps, window scale 7, the client
acknowledging every other segment). TCP checksums are left 0, as a capture
of checksum-offloaded traffic shows them; the replayer does not read them.

    tcp_replay_trace.py OUT.pcap BYTES
"""
import struct
import sys

PAT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CMAC, SMAC = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
CPORT, SPORT = 41000, 80
CISN, SISN = 100000, 700000
SEG = 65483 - 12  # the MSS less the timestamp option


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1_000_000
        self.ts = 5000

    def seg(self, up, seq, ack, flags, data=b"", syn_opts=False):
        src, dst = (CLIENT, SERVER) if up else (SERVER, CLIENT)
        sp, dp = (CPORT, SPORT) if up else (SPORT, CPORT)
        if syn_opts:
            opts = struct.pack("!BBH", 2, 4, 65495) + b"\x04\x02" + \
                struct.pack("!BBII", 8, 10, self.ts, 0) + b"\x01\x03\x03\x07"
        else:
            opts = b"\x01\x01" + struct.pack("!BBII", 8, 10, self.ts, self.ts)
        hl = 20 + len(opts)
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          (hl // 4) << 4, flags, 512, 0, 0) + opts
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + hl + len(data), 0, 0x4000, 64, 6,
                         0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = (SMAC + CMAC) if up else (CMAC + SMAC)
        frame = eth + b"\x08\x00" + ip + tcp
        n = len(frame) + len(data)
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, n, n))
        self.f.write(frame)
        self.f.write(data)
        self.t += 10
        self.ts += 1


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    w = Writer(out)
    req = b"GET /bytes/%d HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n" % n
    head = (b"HTTP/1.1 200 OK\r\nServer: drydock-httpd\r\nContent-Type: application/octet-stream"
            b"\r\nContent-Length: %d\r\n\r\n" % n)
    SYN, ACK, PSH, FIN = 2, 16, 8, 1
    w.seg(True, CISN, 0, SYN, syn_opts=True)
    w.seg(False, SISN, CISN + 1, SYN | ACK, syn_opts=True)
    w.seg(True, CISN + 1, SISN + 1, ACK)
    w.seg(True, CISN + 1, SISN + 1, ACK | PSH, req)
    c_next = CISN + 1 + len(req)
    w.seg(False, SISN + 1, c_next, ACK | PSH, head)
    s_next = SISN + 1 + len(head)
    big = PAT * (SEG // 64 + 2)
    sent, k = 0, 0
    while sent < n:
        m = min(SEG, n - sent)
        o = sent % 64
        w.seg(False, s_next, c_next, ACK, big[o:o + m])
        s_next += m
        sent += m
        k += 1
        if k % 2 == 0 or sent == n:
            w.seg(True, c_next, s_next, ACK)
    w.seg(True, c_next, s_next, ACK | FIN)
    w.seg(False, s_next, c_next + 1, ACK | FIN)
    w.seg(True, c_next + 1, s_next + 1, ACK)
    w.f.close()


main()
