//! Timed comparison of BAM record decoding on the BAM counter's hot path:
//! noodles (`Flags`, `Cigar::iter`, `Sequence::get`, as `bam_count::read`
//! uses now) against the hand-written decoding it replaced (4-byte CIGAR
//! words and 4-bit base codes unpacked by hand). Every record of the file
//! is read once per round; each round decodes flags, every CIGAR operation
//! and every base, and sums them so that nothing is optimised away.
//!
//! ```sh
//! cargo run --release -p graftwatch-genomics-io --example decode_bench -- sample.bam [ROUNDS]
//! ```
//!
//! Prints the time per round of each decoder (median of ROUNDS, default 5)
//! and their ratio. Results: `docs/benchmarks.md`, "BAM record decoding".

use std::fs::File;
use std::io;
use std::time::Instant;

use noodles::bam;
use noodles::sam::alignment::record::cigar::op::Kind;

const NT16: &[u8; 16] = b"=ACMGRSVTWYHKDBN";

/// The hand-written decoding of the earlier `bam_count.rs`.
fn hand(record: &bam::Record, ops: &mut Vec<(Kind, u32)>) -> io::Result<u64> {
    let flags = u16::from(record.flags());
    ops.clear();
    let (chunks, rest) = record.cigar().as_bytes().as_chunks::<4>();
    if !rest.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "truncated CIGAR",
        ));
    }
    for c in chunks {
        let n = u32::from_le_bytes(*c);
        let kind = match n & 0xf {
            0 => Kind::Match,
            1 => Kind::Insertion,
            2 => Kind::Deletion,
            3 => Kind::Skip,
            4 => Kind::SoftClip,
            5 => Kind::HardClip,
            6 => Kind::Pad,
            7 => Kind::SequenceMatch,
            8 => Kind::SequenceMismatch,
            code => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("invalid CIGAR operation code {code}"),
                ));
            }
        };
        ops.push((kind, n >> 4));
    }
    let seq = record.sequence();
    let bytes = seq.as_bytes();
    let mut sum = u64::from(flags) + ops.iter().map(|&(_, l)| u64::from(l)).sum::<u64>();
    for i in 0..seq.len() {
        let b = bytes.get(i / 2).copied().unwrap_or(0);
        let code = if i.is_multiple_of(2) { b >> 4 } else { b & 0xf };
        sum += u64::from(NT16[code as usize]);
    }
    Ok(sum)
}

/// The noodles decoding `bam_count::read` uses.
fn noodles(record: &bam::Record, ops: &mut Vec<(Kind, u32)>) -> io::Result<u64> {
    let flags = record.flags();
    ops.clear();
    for op in record.cigar().iter() {
        let op = op?;
        ops.push((op.kind(), op.len() as u32));
    }
    let seq = record.sequence();
    let mut sum = u64::from(flags.bits()) + ops.iter().map(|&(_, l)| u64::from(l)).sum::<u64>();
    for i in 0..seq.len() {
        sum += u64::from(seq.get(i).unwrap_or(b'N'));
    }
    Ok(sum)
}

type Decoder = fn(&bam::Record, &mut Vec<(Kind, u32)>) -> io::Result<u64>;

/// Decodes every record of the file into memory once, then times `f`
/// over them (so that BGZF inflation is not part of the comparison).
fn time(records: &[bam::Record], f: Decoder, rounds: usize) -> io::Result<(f64, u64)> {
    let mut ops = Vec::new();
    let mut times = Vec::new();
    let mut check = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut sum = 0u64;
        for r in records {
            sum = sum.wrapping_add(f(r, &mut ops)?);
        }
        times.push(t.elapsed().as_secs_f64());
        check = sum;
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], check))
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: decode_bench FILE.bam [ROUNDS]",
        )
    })?;
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut reader = bam::io::Reader::new(File::open(&path)?);
    reader.read_header()?;
    let mut records = Vec::new();
    let mut record = bam::Record::default();
    while reader.read_record(&mut record)? != 0 {
        records.push(record.clone());
    }
    let (t_hand, s_hand) = time(&records, hand, rounds)?;
    let (t_noodles, s_noodles) = time(&records, noodles, rounds)?;
    println!("records: {}", records.len());
    println!("hand-written: {:.3} s per round", t_hand);
    println!("noodles:      {:.3} s per round", t_noodles);
    println!("noodles / hand-written: {:.3}", t_noodles / t_hand);
    // Same flags, CIGAR and bases from both decoders, or the timing compares
    // different work.
    if s_hand != s_noodles {
        return Err(io::Error::other(format!(
            "decoders disagree: checksum {s_hand} (hand-written) vs {s_noodles} (noodles)"
        )));
    }
    println!("checksums agree: {s_hand}");
    Ok(())
}
