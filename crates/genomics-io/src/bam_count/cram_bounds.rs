//! A bounded walk over a whole CRAM file and its `.crai` index before
//! noodles decodes them.
//!
//! noodles-cram sizes its buffers from what the file declares: each
//! container's data at its declared length (`Vec::resize`), each block's
//! output at its declared uncompressed size (gzip, bzip2, LZMA, rANS,
//! arithmetic coder, fqzcomp, name tokeniser), and it slices a container's
//! data at the landmarks of its header without checking them. A corrupt
//! CRAM (or an index that belongs to another file, whose offsets land in
//! the middle of a container) could therefore make graftwatch allocate
//! gigabytes or panic. This walk reads every container header and every
//! block header, skips the block data without decompressing it, and
//! refuses a file in which
//! - a container's length is negative, runs past the end of the file, or
//!   exceeds [`MAX_CONTAINER_BYTES`];
//! - a landmark (slice offset) lies outside its container or goes back;
//! - a block's compressed size runs past its container, or its declared
//!   uncompressed size exceeds [`MAX_BLOCK_BYTES`], or the blocks of one
//!   container declare more than [`MAX_CONTAINER_RAW_BYTES`] together;
//! - a codec's own declared output size (rANS 4x8 header, rANS Nx16 and
//!   arithmetic coder size, fqzcomp and name tokeniser sizes) exceeds the
//!   block's declared uncompressed size; in rANS Nx16 and arithmetic-coder
//!   streams, a packed or run-length length exceeds the size it expands
//!   to, or a striped stream holds another striped stream (noodles
//!   recurses without a depth limit); a name-tokeniser block declares more
//!   names than its length or more than 128 tokens;
//! - the version is not CRAM 3 (every CRAM 3 header and block carries a
//!   CRC32, which this walk skips; noodles checks it);
//! - the file ends inside a container (truncated: the EOF container of
//!   CRAM 3 is required);
//! - an index entry's offset is not the start of a container, or its
//!   landmark is not one of that container's slices.
//!
//! Memory stays at one container (bounded by the file and the caps); time
//! is one read of the file.
//!
//! Layout (CRAM format specification 3.1, §6 "File definition", §7
//! "Container header structure", §8 "Block structure"; itf8/ltf8 in §2.3):
//! file definition `"CRAM"`, major, minor, 20-byte file id; then
//! containers: `length: int32`, reference id, start, span, records
//! (itf8), record counter, bases (ltf8), blocks (itf8), landmarks
//! (itf8 array), `crc32` (CRAM 3); the container data is a sequence of
//! blocks: method (byte), content type (byte), content id, compressed
//! size, uncompressed size (itf8), data, `crc32` (CRAM 3).

use std::collections::BTreeMap;
use std::io::{self, Read};

use noodles::core::Position;
use noodles::cram::crai;

/// File definition length: `"CRAM"`, major, minor, 20-byte file id (§6).
const FILE_DEFINITION_LEN: usize = 26;

/// Largest container (compressed data of its blocks) accepted: 256 MiB.
/// htslib writes containers of about 10,000 reads (`seqs_per_slice`) or
/// 5 M bases, a few MB; 256 MiB is far above any real container.
pub(super) const MAX_CONTAINER_BYTES: u64 = 256 << 20;

/// Largest declared uncompressed size of one block: 256 MiB.
pub(super) const MAX_BLOCK_BYTES: u64 = 256 << 20;

/// Largest sum of the declared uncompressed sizes of one container's
/// blocks (they are decoded together, slice by slice): 512 MiB.
pub(super) const MAX_CONTAINER_RAW_BYTES: u64 = 512 << 20;

/// Where the walk found the containers: start offset → what its header says.
pub(super) type ContainerMap = BTreeMap<u64, ContainerInfo>;

/// A data container as its header describes it (§7).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ContainerInfo {
    /// Reference sequence id: −1 unmapped reads, −2 several references.
    pub(super) reference_id: i32,
    /// Alignment start (1-based) on that reference.
    pub(super) start: i32,
    /// Alignment span.
    pub(super) span: i32,
    /// Length of the container's data.
    pub(super) length: u64,
    /// Offsets of its slices within the data.
    pub(super) landmarks: Vec<u64>,
}

/// Walks the CRAM read from `r` (a whole file of `file_len` bytes) and
/// returns where its containers and their slices start.
pub(super) fn walk<R: Read>(r: &mut R, file_len: u64) -> io::Result<ContainerMap> {
    let mut def = [0u8; FILE_DEFINITION_LEN];
    r.read_exact(&mut def)
        .map_err(|_| invalid("file ends inside the CRAM file definition".into()))?;
    if &def[..4] != b"CRAM" {
        return Err(invalid("not a CRAM file (no \"CRAM\" magic)".into()));
    }
    if def[4] != 3 {
        return Err(invalid(format!(
            "CRAM version {}.{}; expected 3.0 or 3.1 (convert with `samtools view -C`)",
            def[4], def[5]
        )));
    }
    let mut at = FILE_DEFINITION_LEN as u64;
    let mut map = ContainerMap::new();
    let mut data = Vec::new();
    let mut n = 0usize;
    loop {
        if at == file_len {
            return Err(invalid(
                "truncated: the file ends without the CRAM EOF container".into(),
            ));
        }
        n += 1;
        let mut r = Counted::new(&mut *r);
        let header = ContainerHeader::read(&mut r)
            .map_err(|e| invalid(format!("container {n} at byte {at}: {e}")))?;
        let start = at;
        at += r.count;
        header
            .check(at, file_len)
            .map_err(|e| invalid(format!("container {n} at byte {start}: {e}")))?;
        data.clear();
        data.resize(header.length as usize, 0);
        r.read_exact(&mut data).map_err(|_| {
            invalid(format!(
                "container {n} at byte {start}: truncated: the file ends inside it"
            ))
        })?;
        check_blocks(&data).map_err(|e| invalid(format!("container {n} at byte {start}: {e}")))?;
        at += header.length;
        if header.is_eof() {
            return Ok(map);
        }
        map.insert(start, header.info());
    }
}

/// Checks that every entry of `index` points at a container found by the
/// walk and at one of its slices.
pub(super) fn check_index(index: &crai::Index, map: &ContainerMap) -> io::Result<()> {
    for (i, rec) in index.iter().enumerate() {
        let Some(info) = map.get(&rec.offset()) else {
            return Err(invalid(format!(
                "index entry {}: offset {} is not the start of a container \
                 (the index does not belong to this file; re-create it with `samtools index`)",
                i + 1,
                rec.offset()
            )));
        };
        if !info.landmarks.contains(&rec.landmark()) {
            return Err(invalid(format!(
                "index entry {}: slice offset {} is not a slice of the container at byte {} \
                 (re-create the index with `samtools index`)",
                i + 1,
                rec.landmark(),
                rec.offset()
            )));
        }
    }
    Ok(())
}

/// A `.crai` index of the containers the walk found, one entry per slice
/// (CRAM 3.1 §12 "Indexing"), built from the container headers alone:
/// a slice is indexed with its container's reference, start and span (a
/// query then reads the container and keeps the records in its region); a
/// multi-reference container is indexed once for every reference of the
/// header (`references`: their lengths) and once as unmapped, since its
/// slices may hold reads of any of them. noodles' own indexer decodes the
/// records of such slices without a reference and panics on them.
pub(super) fn index_of(map: &ContainerMap, references: &[usize]) -> crai::Index {
    let mut index = Vec::new();
    for (&offset, c) in map {
        for (i, &landmark) in c.landmarks.iter().enumerate() {
            let end = c.landmarks.get(i + 1).copied().unwrap_or(c.length);
            let mut push = |id: Option<usize>, start: i32, span: i32| {
                let start = usize::try_from(start).ok().and_then(Position::new);
                let span = usize::try_from(span).unwrap_or(0);
                index.push(crai::Record::new(
                    id,
                    start,
                    span,
                    offset,
                    landmark,
                    end - landmark,
                ));
            };
            match usize::try_from(c.reference_id) {
                Ok(id) => push(Some(id), c.start, c.span),
                Err(_) if c.reference_id == -2 => {
                    for (id, &len) in references.iter().enumerate() {
                        push(Some(id), 1, i32::try_from(len).unwrap_or(i32::MAX));
                    }
                    push(None, 0, 0);
                }
                Err(_) => push(None, 0, 0),
            }
        }
    }
    index
}

/// The fields of a container header the walk needs.
struct ContainerHeader {
    length: u64,
    reference_id: i32,
    start: i32,
    span: i32,
    blocks: i32,
    landmarks: Vec<u64>,
}

impl ContainerHeader {
    fn read<R: Read>(r: &mut R) -> io::Result<ContainerHeader> {
        let mut b = [0u8; 4];
        read_exact(r, &mut b, "container length")?;
        let length = i32::from_le_bytes(b);
        let length = u64::try_from(length)
            .map_err(|_| invalid(format!("length is {length}; expected 0 or more")))?;
        let reference_id = itf8(r, "reference sequence id")?;
        let start = itf8(r, "alignment start")?;
        let span = itf8(r, "alignment span")?;
        itf8(r, "number of records")?;
        ltf8(r, "record counter")?;
        ltf8(r, "number of bases")?;
        let blocks = itf8(r, "number of blocks")?;
        let count = itf8(r, "number of landmarks")?;
        // Each landmark is at least one byte of the container data.
        let count = u64::try_from(count)
            .ok()
            .filter(|&c| c <= length)
            .ok_or_else(|| {
                invalid(format!(
                    "{count} landmarks; expected 0 to the container length {length}"
                ))
            })?;
        let mut landmarks = Vec::new();
        for _ in 0..count {
            let l = itf8(r, "landmark")?;
            landmarks
                .push(u64::try_from(l).map_err(|_| invalid(format!("landmark {l} is negative")))?);
        }
        read_exact(r, &mut b, "container header checksum")?;
        Ok(ContainerHeader {
            length,
            reference_id,
            start,
            span,
            blocks,
            landmarks,
        })
    }

    fn info(self) -> ContainerInfo {
        ContainerInfo {
            reference_id: self.reference_id,
            start: self.start,
            span: self.span,
            length: self.length,
            landmarks: self.landmarks,
        }
    }

    /// Length and landmarks against the file (`data_at`: where the data starts).
    fn check(&self, data_at: u64, file_len: u64) -> io::Result<()> {
        let left = file_len.saturating_sub(data_at);
        if self.length > left {
            return Err(invalid(format!(
                "truncated: the container declares {} bytes but only {left} follow",
                self.length
            )));
        }
        if self.length > MAX_CONTAINER_BYTES {
            return Err(invalid(format!(
                "length is {} bytes; expected at most {MAX_CONTAINER_BYTES}",
                self.length
            )));
        }
        let mut prev = 0;
        for &l in &self.landmarks {
            if l < prev || l >= self.length {
                return Err(invalid(format!(
                    "slice offset (landmark) {l} is outside the container's {} bytes or before the previous one",
                    self.length
                )));
            }
            prev = l;
        }
        Ok(())
    }

    /// The CRAM 3 EOF container (§9): reference id −1, start 4542278, one block.
    fn is_eof(&self) -> bool {
        self.reference_id == -1 && self.start == 4_542_278 && self.blocks == 1 && self.length == 15
    }
}

/// Walks the blocks of one container's data.
fn check_blocks(mut data: &[u8]) -> io::Result<()> {
    let mut raw_total = 0u64;
    let mut n = 0usize;
    while !data.is_empty() {
        n += 1;
        let (method, raw, payload) =
            read_block_header(&mut data).map_err(|e| invalid(format!("block {n}: {e}")))?;
        raw_total += raw;
        if raw_total > MAX_CONTAINER_RAW_BYTES {
            return Err(invalid(format!(
                "its blocks declare over {MAX_CONTAINER_RAW_BYTES} bytes uncompressed"
            )));
        }
        codec_sizes(method, payload, raw).map_err(|e| invalid(format!("block {n}: {e}")))?;
        data = data
            .get(4..)
            .ok_or_else(|| invalid(format!("block {n}: ends before its checksum")))?;
    }
    Ok(())
}

/// Reads one block header and skips its data: (method, uncompressed size, data).
fn read_block_header<'a>(data: &mut &'a [u8]) -> io::Result<(u8, u64, &'a [u8])> {
    let mut two = [0u8; 2];
    read_exact(data, &mut two, "compression method and content type")?;
    itf8(data, "content id")?;
    let compressed = itf8(data, "compressed size")?;
    let raw = itf8(data, "uncompressed size")?;
    let compressed = usize::try_from(compressed)
        .ok()
        .filter(|&c| c <= data.len())
        .ok_or_else(|| {
            invalid(format!(
                "compressed size {compressed}; expected 0 to the {} bytes left in the container",
                data.len()
            ))
        })?;
    let raw = u64::try_from(raw)
        .ok()
        .filter(|&r| r <= MAX_BLOCK_BYTES)
        .ok_or_else(|| {
            invalid(format!(
                "uncompressed size {raw}; expected 0 to {MAX_BLOCK_BYTES}"
            ))
        })?;
    let (payload, rest) = data.split_at(compressed);
    *data = rest;
    Ok((two[0], raw, payload))
}

/// The output sizes a codec declares inside its own stream (CRAM codecs
/// specification 3.1) must not exceed the block's uncompressed size, and
/// its nesting must stay what htslib writes.
fn codec_sizes(method: u8, payload: &[u8], raw: u64) -> io::Result<()> {
    let declared = match method {
        // rANS 4x8 (§2): order byte, compressed size, uncompressed size (u32 LE).
        4 => payload
            .get(5..9)
            .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        // rANS Nx16 (§3) and the adaptive arithmetic coder (§4).
        5 | 6 => return entropy_stream(payload, raw, raw, method == 5, false),
        // fqzcomp (§5): the uncompressed size (uint7) first.
        7 => uint7(payload),
        // name tokeniser (§6).
        8 => return name_tokeniser(payload, raw),
        _ => None,
    };
    over("the codec", declared, raw)
}

/// `Err` when `declared` exceeds `cap`.
fn over(what: &str, declared: Option<u64>, cap: u64) -> io::Result<()> {
    match declared {
        Some(d) if d > cap => Err(invalid(format!(
            "{what} declares {d} bytes of output; at most {cap} expected"
        ))),
        _ => Ok(()),
    }
}

/// rANS Nx16 / arithmetic-coder flags (codecs 3.1 §3.1, §4).
const STRIPE: u8 = 0x08;
const NOSZ: u8 = 0x10;
const RLE: u8 = 0x40;
const PACK: u8 = 0x80;

/// The header chain of an rANS Nx16 (`nx16`) or arithmetic-coder stream:
/// flags; the size (uint7) unless NOSZ; with STRIPE, N and N compressed
/// sizes, then N sub-streams; with PACK, the symbol table and the packed
/// length; with RLE (rANS only), the run-length metadata size and the
/// literal length. Each size must fit the size it expands to (`size`,
/// from the block or the parent stream) and `cap`. A striped stream inside
/// a striped stream is refused: htslib never writes one, and noodles
/// decodes stripes by recursion without a depth limit (a stack overflow
/// from a small block). Bytes that end early are left to the decoder's
/// own error.
fn entropy_stream(p: &[u8], size: u64, cap: u64, nx16: bool, inner: bool) -> io::Result<()> {
    let Some(&flags) = p.first() else {
        return Ok(());
    };
    let mut at = 1;
    let mut size = size;
    if flags & NOSZ == 0 {
        let Some((v, n)) = uint7_len(&p[at..]) else {
            return Ok(());
        };
        over("an entropy-coded stream", Some(v), cap)?;
        (size, at) = (v, at + n);
    }
    if flags & STRIPE != 0 {
        if inner {
            return Err(invalid(
                "a striped entropy-coded stream inside a striped stream (not written by htslib)"
                    .into(),
            ));
        }
        return stripes(&p[at..], size, nx16);
    }
    if flags & PACK != 0 {
        let Some(&symbols) = p.get(at) else {
            return Ok(());
        };
        at += 1 + usize::from(symbols);
        let Some((len, n)) = p.get(at..).and_then(uint7_len) else {
            return Ok(());
        };
        over("a bit-packed stream", Some(len), size)?;
        (size, at) = (len, at + n);
    }
    if nx16 && flags & RLE != 0 {
        let Some((meta, n)) = p.get(at..).and_then(uint7_len) else {
            return Ok(());
        };
        over("run-length metadata", Some(meta >> 1), cap)?;
        at += n;
        let len = p.get(at..).and_then(uint7_len).map(|(v, _)| v);
        over("a run-length stream", len, size)?;
    }
    Ok(())
}

/// The N sub-streams of a striped stream of `size` bytes.
fn stripes(p: &[u8], size: u64, nx16: bool) -> io::Result<()> {
    let Some(&n) = p.first() else {
        return Ok(());
    };
    let mut at = 1;
    let mut lens = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let Some((v, k)) = p.get(at..).and_then(uint7_len) else {
            return Ok(());
        };
        lens.push(v);
        at += k;
    }
    let part = size.div_ceil(u64::from(n.max(1)));
    for len in lens {
        let Some(sub) = sub_stream(p, at, len) else {
            return Ok(());
        };
        entropy_stream(sub, part, size, nx16, true)?;
        at += sub.len();
    }
    Ok(())
}

/// `len` bytes of `p` from `at`, if there are that many.
fn sub_stream(p: &[u8], at: usize, len: u64) -> Option<&[u8]> {
    let len = usize::try_from(len).ok()?;
    p.get(at..at.checked_add(len)?)
}

/// Name tokeniser (codecs 3.1 §6): uncompressed length and name count
/// (u32 LE), the coder (0 rANS Nx16, else arithmetic), then token streams:
/// a type byte (0x80 new token, 0x40 duplicate of an earlier stream: two
/// bytes) and otherwise a compressed length (uint7) and an entropy-coded
/// stream. Each name takes at least its NUL, so the names are at most the
/// length; at most 128 tokens per name (htslib's limit; noodles allocates
/// a name-count column per token); the token streams' declared sizes
/// together at most [`MAX_CONTAINER_RAW_BYTES`].
fn name_tokeniser(p: &[u8], raw: u64) -> io::Result<()> {
    let Some(h) = p.get(..9) else {
        return Ok(());
    };
    let ulen = u64::from(u32::from_le_bytes([h[0], h[1], h[2], h[3]]));
    let names = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
    over("the name tokeniser", Some(ulen), raw)?;
    over("the name tokeniser's name count", Some(names), ulen)?;
    let nx16 = h[8] == 0;
    let (mut at, mut tokens, mut total) = (9, 0u32, 0u64);
    while let Some(&ttype) = p.get(at) {
        at += 1;
        if ttype & 0x80 != 0 {
            tokens += 1;
            if tokens > 128 {
                return Err(invalid(
                    "the name tokeniser declares more than 128 tokens".into(),
                ));
            }
        }
        if ttype & 0x40 != 0 {
            at += 2;
            continue;
        }
        let Some((len, k)) = p.get(at..).and_then(uint7_len) else {
            return Ok(());
        };
        at += k;
        let Some(sub) = sub_stream(p, at, len) else {
            return Ok(());
        };
        if sub.first().is_some_and(|f| f & NOSZ == 0) {
            total += uint7(&sub[1..]).unwrap_or(0);
            over(
                "the name tokeniser's token streams",
                Some(total),
                MAX_CONTAINER_RAW_BYTES,
            )?;
        }
        entropy_stream(sub, 0, MAX_BLOCK_BYTES, nx16, false)?;
        at += sub.len();
    }
    Ok(())
}

/// CRAM codecs uint7 (§1.2): 7 bits per byte, high bit = more, big-endian,
/// at most 5 bytes. `None` when the bytes end or the value is longer.
fn uint7(b: &[u8]) -> Option<u64> {
    uint7_len(b).map(|(v, _)| v)
}

/// [`uint7`] and the number of bytes it took.
fn uint7_len(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &x) in b.iter().take(5).enumerate() {
        v = (v << 7) | u64::from(x & 0x7f);
        if x & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// itf8 (§2.3), decoded as noodles decodes it.
fn itf8<R: Read>(r: &mut R, what: &str) -> io::Result<i32> {
    let mut b = [0u8; 5];
    read_exact(r, &mut b[..1], what)?;
    let more = b[0].leading_ones().min(4) as usize;
    read_exact(r, &mut b[1..=more], what)?;
    let tail = |n: usize| b[1..=n].iter().fold(0u32, |v, &x| (v << 8) | u32::from(x));
    let b0 = u32::from(b[0]);
    let n = match more {
        0 => b0,
        1 => (b0 & 0x7f) << 8 | tail(1),
        2 => (b0 & 0x3f) << 16 | tail(2),
        3 => (b0 & 0x1f) << 24 | tail(3),
        _ => {
            let t = tail(4);
            (b0 & 0x0f) << 28 | (t & 0xffff_ff0f) >> 4 | t & 0x0f
        }
    };
    Ok(n as i32)
}

/// ltf8 (§2.3): skipped (1 to 9 bytes).
fn ltf8<R: Read>(r: &mut R, what: &str) -> io::Result<()> {
    let mut b = [0u8; 9];
    read_exact(r, &mut b[..1], what)?;
    let more = b[0].leading_ones() as usize;
    read_exact(r, &mut b[1..=more], what)
}

fn read_exact<R: Read>(r: &mut R, b: &mut [u8], what: &str) -> io::Result<()> {
    r.read_exact(b)
        .map_err(|_| invalid(format!("truncated: the data ends inside the {what}")))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Counted { inner, count: 0 }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn itf8_of(b: &[u8]) -> i32 {
        itf8(&mut &b[..], "x").unwrap()
    }

    #[test]
    fn itf8_reads_each_width_as_noodles_does() {
        assert_eq!(itf8_of(&[0x7f]), 127);
        assert_eq!(itf8_of(&[0x80, 0xff]), 255);
        assert_eq!(itf8_of(&[0xc0, 0x40, 0x00]), 0x4000);
        assert_eq!(itf8_of(&[0xe0, 0x20, 0x00, 0x00]), 0x20_0000);
        assert_eq!(itf8_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]), -1);
        assert!(itf8(&mut &[0xe0, 0x20][..], "x").is_err(), "cut inside");
    }

    #[test]
    fn uint7_stops_at_the_last_byte_and_at_five() {
        assert_eq!(uint7(&[0x05]), Some(5));
        assert_eq!(uint7(&[0x81, 0x00]), Some(128));
        assert_eq!(uint7(&[0x81]), None);
        assert_eq!(uint7(&[0xff; 6]), None);
    }

    /// One raw block: method, content type, id 0, sizes, data, CRC.
    fn block(method: u8, compressed: &[u8], raw: &[u8], data: &[u8]) -> Vec<u8> {
        let mut b = vec![method, 4, 0];
        b.extend_from_slice(compressed);
        b.extend_from_slice(raw);
        b.extend_from_slice(data);
        b.extend_from_slice(&[0; 4]);
        b
    }

    #[test]
    fn block_sizes_are_checked_on_both_sides_of_each_bound() {
        // 4 bytes of raw data, raw size 4: accepted.
        assert!(check_blocks(&block(0, &[4], &[4], &[1, 2, 3, 4])).is_ok());
        // Compressed size one past the data: refused.
        let e = check_blocks(&block(0, &[9], &[4], &[1, 2, 3, 4])).unwrap_err();
        assert!(e.to_string().contains("compressed size 9"), "{e}");
        // Uncompressed size at the cap accepted, one over refused (itf8 of 2^28 needs 5 bytes).
        let cap = [0xf1, 0x00, 0x00, 0x00, 0x00]; // 2^28 = 256 MiB
        let over = [0xf1, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(itf8_of(&cap) as u64, MAX_BLOCK_BYTES);
        assert!(check_blocks(&block(1, &[0], &cap, &[])).is_ok());
        let e = check_blocks(&block(1, &[0], &over, &[])).unwrap_err();
        assert!(e.to_string().contains("uncompressed size 268435457"), "{e}");
        // Three blocks at the cap: over the container's total.
        let three = [
            block(1, &[0], &cap, &[]),
            block(1, &[0], &cap, &[]),
            block(1, &[0], &cap, &[]),
        ]
        .concat();
        let e = check_blocks(&three).unwrap_err();
        assert!(e.to_string().contains("uncompressed"), "{e}");
        // A block cut before its checksum.
        let mut cut = block(0, &[1], &[1], &[7]);
        cut.truncate(cut.len() - 2);
        assert!(check_blocks(&cut).is_err());
    }

    #[test]
    fn codec_output_sizes_may_not_exceed_the_block() {
        // rANS 4x8: order, compressed size, uncompressed size (LE).
        let rans = |u: u32| [&[0u8][..], &9u32.to_le_bytes(), &u.to_le_bytes()].concat();
        assert!(codec_sizes(4, &rans(100), 100).is_ok());
        assert!(codec_sizes(4, &rans(101), 100).is_err());
        // rANS Nx16 with a size, and with NOSZ (0x10): no size to check.
        assert!(codec_sizes(5, &[0x00, 0x64], 100).is_ok());
        assert!(codec_sizes(5, &[0x00, 0x65], 100).is_err());
        assert!(codec_sizes(5, &[0x10, 0x7f], 100).is_ok());
        // Arithmetic coder, fqzcomp, name tokeniser.
        assert!(codec_sizes(6, &[0x00, 0x81, 0x00], 127).is_err());
        assert!(codec_sizes(7, &[0x7f], 127).is_ok());
        assert!(codec_sizes(7, &[0x81, 0x00], 127).is_err());
        let tok =
            |ulen: u32, names: u32| [&ulen.to_le_bytes()[..], &names.to_le_bytes(), &[0]].concat();
        assert!(codec_sizes(8, &tok(200, 10), 199).is_err());
        assert!(codec_sizes(8, &tok(199, 10), 199).is_ok());
        // names: at most the length (each ends with a NUL)
        assert!(codec_sizes(8, &tok(199, 199), 199).is_ok());
        assert!(codec_sizes(8, &tok(199, 200), 199).is_err());
    }

    #[test]
    fn stripes_nest_once_and_inner_sizes_fit_their_parent() {
        // Striped (0x08, NOSZ 0x10 unset: size 100), 2 parts of 2 bytes each,
        // each part an order-0 stream (flags 0x10 NOSZ, one byte).
        let ok = [0x08, 100, 2, 2, 2, 0x10, 0, 0x10, 0];
        assert!(entropy_stream(&ok, 100, 100, true, false).is_ok());
        // A part that is striped again.
        let nested = [0x08, 100, 2, 2, 2, 0x18, 0, 0x10, 0];
        let e = entropy_stream(&nested, 100, 100, true, false).unwrap_err();
        assert!(e.to_string().contains("inside a striped stream"), "{e}");
        // A part declaring more than the whole: 101 > 100.
        let big = [0x08, 100, 2, 2, 2, 0x00, 101, 0x10, 0];
        assert!(entropy_stream(&big, 100, 100, true, false).is_err());
        let fits = [0x08, 100, 2, 2, 2, 0x00, 100, 0x10, 0];
        assert!(entropy_stream(&fits, 100, 100, true, false).is_ok());
    }

    #[test]
    fn packed_and_run_length_lengths_fit_the_size() {
        // PACK (0x80) with size 100: 2 symbols, packed length 100 / 101.
        assert!(entropy_stream(&[0x80, 100, 2, b'A', b'C', 100], 100, 100, true, false).is_ok());
        assert!(entropy_stream(&[0x80, 100, 2, b'A', b'C', 101], 100, 100, true, false).is_err());
        // RLE (0x40), size 100: metadata 2·5+1 (uncompressed, 5 bytes), literals 100 / 101.
        assert!(entropy_stream(&[0x40, 100, 11, 100], 100, 100, true, false).is_ok());
        assert!(entropy_stream(&[0x40, 100, 11, 101], 100, 100, true, false).is_err());
        // the arithmetic coder has no RLE lengths in its header
        assert!(entropy_stream(&[0x40, 100, 11, 101], 100, 100, false, false).is_ok());
    }

    #[test]
    fn name_tokeniser_tokens_are_capped_at_128() {
        let mut t = [&199u32.to_le_bytes()[..], &10u32.to_le_bytes(), &[0]].concat();
        // 128 new tokens, each a duplicate stream (type 0xC0 + 2 bytes): accepted.
        for _ in 0..128 {
            t.extend_from_slice(&[0xC0, 0, 0]);
        }
        assert!(name_tokeniser(&t, 199).is_ok());
        t.extend_from_slice(&[0xC0, 0, 0]);
        let e = name_tokeniser(&t, 199).unwrap_err();
        assert!(e.to_string().contains("128 tokens"), "{e}");
    }

    fn header(length: u64, landmarks: Vec<u64>) -> ContainerHeader {
        ContainerHeader {
            length,
            reference_id: 0,
            start: 1,
            span: 1,
            blocks: 1,
            landmarks,
        }
    }

    #[test]
    fn container_length_and_landmarks_are_checked() {
        assert!(header(100, vec![0, 50]).check(26, 126).is_ok());
        assert!(
            header(100, vec![0, 50]).check(27, 126).is_err(),
            "one byte short"
        );
        assert!(
            header(100, vec![50, 10]).check(26, 126).is_err(),
            "backwards"
        );
        assert!(header(100, vec![99]).check(26, 126).is_ok());
        assert!(
            header(100, vec![100]).check(26, 126).is_err(),
            "past the end"
        );
        let big = MAX_CONTAINER_BYTES + 1;
        assert!(header(big, vec![]).check(0, big).is_err(), "over the cap");
        assert!(header(MAX_CONTAINER_BYTES, vec![]).check(0, big).is_ok());
    }
}
