//! VCF text records parsed by noodles (`noodles-vcf`'s lazy
//! [`vcf::Record`]), shared by the panel reader ([`crate::panel`]) and the
//! FORMAT/AD and GT reader ([`crate::vcf_ad`]).
//!
//! Lines come from [`crate::gz_input::CheckedLines`], which keeps what
//! noodles' reader does not check: a last line without a line end (a file
//! cut mid-record) is "truncated", line numbers are counted, a UTF-8
//! byte-order mark and `\r` line ends are dropped. Each data line is then
//! parsed by noodles into one reused record. Measured against the
//! hand-split code it replaced (`bench/vcf/run.sh`, 200,000 mpileup
//! records × 4 samples, `--profile quick-release`, 3 runs each at load
//! 15–19; `docs/benchmarks.md` "VCF/BCF record parsing"): panel and GT
//! reading equal within noise, AD from plain text ≈ 1.25× the hand-split
//! time (≈ 4 ms on a real 1,169-marker file), not a real cost, so no
//! hand-split VCF text is kept.

use std::io;

use graftwatch_core::GenomicPosition;
use noodles::vcf;

/// Parses one data line (without its line end) into `record`.
pub(crate) fn parse_record(line: &str, record: &mut vcf::Record) -> io::Result<()> {
    let mut reader = vcf::io::Reader::new(line.as_bytes());
    match reader.read_record(record)? {
        0 => Err(io::Error::new(io::ErrorKind::InvalidData, "empty record")),
        _ => Ok(()),
    }
}

/// The 1-based position of a record; `Ok(None)` for POS 0 (a telomere
/// record, before every marker). The error names the POS text of `line`.
pub(crate) fn position(
    record: &vcf::Record,
    line: &str,
) -> Result<Option<GenomicPosition>, String> {
    match record.variant_start() {
        None => Ok(None),
        Some(Ok(p)) => Ok(GenomicPosition::from_one_based(p.get() as u64)),
        Some(Err(_)) => Err(format!(
            "POS '{}' is not a positive integer",
            line.split('\t').nth(1).unwrap_or_default()
        )),
    }
}

/// The message for a record noodles cannot split into its fixed fields.
pub(crate) fn record_message(e: &io::Error, expected: &str) -> String {
    format!("malformed record ({e}); expected {expected}")
}

/// The meta lines (`##…`) of a VCF as read, with their 1-based line
/// numbers, for the header parse and its messages.
#[derive(Debug, Default)]
pub(crate) struct VcfMeta {
    text: String,
    lines: Vec<usize>,
}

impl VcfMeta {
    /// Adds meta line `line` read at 1-based line `lineno`.
    pub(crate) fn push(&mut self, lineno: usize, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
        self.lines.push(lineno);
    }
}

/// Parses the VCF header (meta lines and the `#CHROM` line, read at line
/// `chrom_lineno`) with noodles. A header without a `##fileformat` line
/// (hand-made files) is read as VCF 4.2. A header that does not define
/// FORMAT/AD (VCF ≤ 4.2 has no reserved definition, and bcftools/GATK
/// always write one) gets the VCF 4.3 definition, `Number=R,Type=Integer`.
pub(crate) fn parse_header(
    meta: &VcfMeta,
    chrom_line: &str,
    chrom_lineno: usize,
) -> Result<vcf::Header, String> {
    let mut header = parse_header_as_written(meta, chrom_line, chrom_lineno)?;
    add_default_ad(&mut header);
    Ok(header)
}

/// [`parse_header`] without the added AD definition: the header as the
/// file gives it (to tell which read-count fields it defines). A line
/// noodles refuses is named by its line number and (clipped) text.
pub(crate) fn parse_header_as_written(
    meta: &VcfMeta,
    chrom_line: &str,
    chrom_lineno: usize,
) -> Result<vcf::Header, String> {
    let mut parser = vcf::header::Parser::default();
    let assumed = (!meta.text.starts_with("##fileformat")).then_some("##fileformat=VCFv4.2");
    let lines = assumed
        .into_iter()
        .map(|l| (None, l))
        .chain(meta.lines.iter().map(Some).zip(meta.text.lines()))
        .chain(std::iter::once((Some(&chrom_lineno), chrom_line)));
    for (lineno, line) in lines {
        if let Err(e) = parser.parse_partial(line.as_bytes()) {
            let at = lineno.map_or(String::new(), |n| format!("line {n}: "));
            return Err(format!(
                "{at}cannot read the VCF header line '{}' ({e}); expected a VCF meta line \
                 ##KEY=VALUE or ##KEY=<ID=…,…>",
                clip(line)
            ));
        }
    }
    parser
        .finish()
        .map_err(|e| format!("cannot read the VCF header ({e})"))
}

/// At most 60 characters of a line, for a message.
fn clip(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Adds the VCF 4.3 definition of FORMAT/AD (`Number=R,Type=Integer`)
/// when the header has none.
pub(crate) fn add_default_ad(header: &mut vcf::Header) {
    use vcf::header::record::value::{
        Map,
        map::{
            Format,
            format::{Number, Type},
        },
    };
    if !header.formats().contains_key("AD") {
        header.formats_mut().insert(
            "AD".into(),
            Map::<Format>::new(
                Number::ReferenceAlternateBases,
                Type::Integer,
                "Allelic depths for the ref and alt alleles",
            ),
        );
    }
}

/// INFO/END of a VCF text record (raw INFO text), when present and a
/// positive integer.
pub(crate) fn info_end(info: &str) -> Option<u64> {
    info.split(';')
        .find_map(|f| f.strip_prefix("END="))
        .and_then(|v| v.parse::<u64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_line_is_parsed_and_reused() {
        let mut r = vcf::Record::default();
        parse_record("chr1\t100\t.\tA\tG,<*>\t0\t.\tDP=3\tAD\t1,2,0", &mut r).unwrap();
        assert_eq!(r.reference_sequence_name(), "chr1");
        assert_eq!(position(&r, "").unwrap().unwrap().one_based(), 100);
        parse_record("chr2\t0\t.\tA\t.\t.\t.\t.", &mut r).unwrap();
        assert_eq!(r.reference_sequence_name(), "chr2");
        assert_eq!(position(&r, "").unwrap(), None);
    }

    #[test]
    fn a_bad_position_names_its_text() {
        let mut r = vcf::Record::default();
        let line = "chr1\tx1\t.\tA\tG\t.\t.\t.";
        parse_record(line, &mut r).unwrap();
        assert_eq!(
            position(&r, line).unwrap_err(),
            "POS 'x1' is not a positive integer"
        );
    }

    #[test]
    fn a_short_record_is_an_error() {
        let mut r = vcf::Record::default();
        let e = parse_record("chr1\t100\t.\tA", &mut r).unwrap_err();
        assert!(record_message(&e, "8 columns").contains("expected 8 columns"));
    }

    #[test]
    fn a_header_without_fileformat_is_read_as_4_2_and_duplicates_are_refused() {
        let chrom = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT";
        let h = parse_header(&VcfMeta::default(), &format!("{chrom}\ta\tb"), 1).unwrap();
        assert_eq!(h.sample_names().len(), 2);
        let mut meta = VcfMeta::default();
        meta.push(1, "##fileformat=VCFv4.3");
        let e = parse_header(&meta, &format!("{chrom}\ta\ta"), 2).unwrap_err();
        assert!(e.contains("line 2: "), "{e}");
        assert!(e.contains("duplicate sample name"), "{e}");
    }

    #[test]
    fn a_bad_meta_line_is_named_by_its_line_and_clipped() {
        let chrom = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts";
        let mut meta = VcfMeta::default();
        meta.push(1, "##fileformat=VCFv4.2");
        meta.push(3, "##contig=<ID=chr1>");
        let huge = format!("##{}", "x".repeat(1_000_000));
        meta.push(4, &huge);
        let e = parse_header(&meta, chrom, 5).unwrap_err();
        assert!(
            e.starts_with("line 4: cannot read the VCF header line '##xxx"),
            "{e}"
        );
        assert!(e.len() < 300, "{}", e.len());
        // Without ##fileformat the assumed line does not shift the numbers.
        let mut meta = VcfMeta::default();
        meta.push(1, "##INFO=<ID=DP");
        let e = parse_header(&meta, chrom, 2).unwrap_err();
        assert!(e.starts_with("line 1: "), "{e}");
    }
}
