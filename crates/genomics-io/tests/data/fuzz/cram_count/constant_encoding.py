"""Rewrite one CRAM data-series encoding to a constant (single-symbol HUFFMAN).

Made the regression inputs of this folder (README.md):
    python3 constant_encoding.py ../../../../../../fuzz/corpus/cram_count/v30.cram feature-count-2e31.cram FN 2147483647
    python3 constant_encoding.py ../../../../../../fuzz/corpus/cram_count/v30.cram read-length-2e31.cram RL 2147483647

usage: constant_encoding.py IN.cram OUT.cram KEY VALUE
Rewrites KEY (e.g. FN) in the first data container's compression header as
HUFFMAN with alphabet [VALUE] and bit length [0], fixes every size, landmark
and CRC32 it affects, and copies the rest of the file unchanged.
"""
import struct, sys, zlib

def itf8(d, at):
    b0 = d[at]
    n = 1
    for bit in range(7, 3, -1):
        if b0 >> bit & 1: n += 1
        else: break
    b = d[at:at+n]
    if n == 1: v = b[0]
    elif n == 2: v = (b[0] & 0x3f) << 8 | b[1]
    elif n == 3: v = (b[0] & 0x1f) << 16 | b[1] << 8 | b[2]
    elif n == 4: v = (b[0] & 0x0f) << 24 | b[1] << 16 | b[2] << 8 | b[3]
    else: v = struct.unpack('>i', bytes([((b[0] & 0x0f) << 4) | (b[1] >> 4), ((b[1] & 0xf) << 4) | (b[2] >> 4), ((b[2] & 0xf) << 4) | (b[3] >> 4), ((b[3] & 0xf) << 4) | (b[4] & 0xf)]))[0]
    return v, at + n

def enc_itf8(v):
    v &= 0xffffffff
    if v < 0x80: return bytes([v])
    if v < 0x4000: return bytes([0x80 | v >> 8, v & 0xff])
    if v < 0x200000: return bytes([0xc0 | v >> 16, v >> 8 & 0xff, v & 0xff])
    if v < 0x10000000: return bytes([0xe0 | v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff])
    return bytes([0xf0 | v >> 28, v >> 20 & 0xff, v >> 12 & 0xff, v >> 4 & 0xff, v & 0x0f])

def ltf8_len(b0):
    n = 1
    for bit in range(7, -1, -1):
        if b0 >> bit & 1: n += 1
        else: break
    return n

def container_header(d, at):
    """-> (fields dict, header_end (after crc))"""
    start = at
    length = struct.unpack('<i', d[at:at+4])[0]; at += 4
    vals = []
    for _ in range(4):
        v, at = itf8(d, at); vals.append(v)
    for _ in range(2):
        at += ltf8_len(d[at])
    nblocks, at = itf8(d, at)
    nl, at = itf8(d, at)
    lm = []
    for _ in range(nl):
        v, at = itf8(d, at); lm.append(v)
    return dict(start=start, length=length, vals=vals, nblocks=nblocks, landmarks=lm, lm_at=None, crc_at=at), at + 4

def main(inp, out, key, value):
    d = bytearray(open(inp, 'rb').read())
    at = 26
    h, at = container_header(d, at)   # SAM header container
    at += h['length']
    c, body = container_header(d, at)
    # compression header block
    b = body
    method, ctype = d[b], d[b+1]
    assert method == 0, 'compression header must be raw'
    cid, p = itf8(d, b+2)
    csize, p = itf8(d, p)
    rsize, p = itf8(d, p)
    data = bytes(d[p:p+csize]); after_block = p + csize + 4
    # preservation map
    q = 0
    pm_size, q = itf8(data, q); q += pm_size
    ds_start = q
    ds_size, q = itf8(data, q)
    ds_body = q
    n, q = itf8(data, q)
    entries = []
    for _ in range(n):
        k = data[q:q+2]; q += 2
        codec, q2 = itf8(data, q)
        plen, q3 = itf8(data, q2)
        entries.append((k, data[q:q3+plen])); q = q3 + plen
    rest = data[q:]
    new = []
    for k, e in entries:
        if k == key.encode():
            params = enc_itf8(1) + enc_itf8(value) + enc_itf8(1) + enc_itf8(0)
            e = enc_itf8(3) + enc_itf8(len(params)) + params
        new.append(k + e)
    ds = enc_itf8(n) + b''.join(new)
    newdata = data[:ds_start] + enc_itf8(len(ds)) + ds + rest
    block = bytes([method, ctype]) + enc_itf8(cid) + enc_itf8(len(newdata)) + enc_itf8(len(newdata)) + newdata
    block += struct.pack('<I', zlib.crc32(block))
    delta = len(block) - (after_block - b)
    # rebuild container header
    hd = bytearray(struct.pack('<i', c['length'] + delta))
    q = c['start'] + 4
    for _ in range(4):
        _, q = itf8(d, q)
    for _ in range(2):
        q += ltf8_len(d[q])
    _, q = itf8(d, q)   # nblocks
    hd += d[c['start']+4:q]
    hd += enc_itf8(len(c['landmarks'])) + b''.join(enc_itf8(x + delta) for x in c['landmarks'])
    hd += struct.pack('<I', zlib.crc32(hd))
    out_b = d[:c['start']] + hd + block + d[after_block:]
    open(out, 'wb').write(out_b)
    print(f'{key}: {n} encodings, block {after_block-b} -> {len(block)} bytes')

main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
