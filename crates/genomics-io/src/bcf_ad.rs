//! Reading FORMAT/AD and FORMAT/GT at panel markers from a BCF, BGZF-
//! compressed or uncompressed (`bcftools view -Ob` / `-Ou`,
//! `bcftools mpileup -Ob`).
//!
//! The public entry points are those of [`crate::vcf_ad`]
//! ([`read_vcf_ad`](crate::vcf_ad::read_vcf_ad),
//! [`read_vcf_gt`](crate::vcf_ad::read_vcf_gt),
//! [`vcf_samples`](crate::vcf_ad::vcf_samples)): they recognise a BCF by its
//! content (the `BCF` magic, after BGZF decompression if compressed), not
//! its name, and come here. Records are matched to markers by the same code
//! as VCF records ([`crate::ad_match`]), so both give identical results.
//!
//! noodles reads the BGZF blocks, the header and the record's site fields
//! (CHROM, POS, REF, ALT: `noodles::bcf::Record`). Two parts stay
//! hand-written, for correctness on bad input rather than speed (issue 10
//! asks for noodles wherever it does the job):
//! - **Record framing** ([`read_record_bytes`]): noodles-bcf 0.94
//!   (`io/reader/record.rs`) sizes its buffers from the record's two
//!   32-bit length words before reading (`site_buf.resize(l_shared)`), so
//!   a corrupt length makes it allocate up to 8 GB; here the buffer grows
//!   with the bytes actually read.
//! - **The per-sample FORMAT block** ([`sample_value`]): noodles-bcf 0.94
//!   (`record/samples/series.rs`, `Series::get`) panics on values a
//!   corrupt or merely unusual BCF holds — `todo!("unhandled type")` for a
//!   GT stored as int16 (legal with more than 63 alleles) or a value whose
//!   stored type differs from its header Type, and `.expect("missing type
//!   definition")` for a FORMAT key the header does not define. A panic is
//!   an internal error (exit 1), not the "bad input" error the file
//!   deserves. The decoding here reads only the requested key of the
//!   requested sample at records that concern a marker, with every length
//!   checked: malformed data is an error naming the file and record.
//!
//! Speed is not the reason: on the VCF side noodles replaced the hand code
//! (`bench/vcf/run.sh`, `docs/benchmarks.md` "VCF/BCF record parsing").
//! A BGZF file must end with the BGZF end-of-file block that htslib
//! writes, so a file truncated at a block boundary is reported instead of
//! silently losing its last markers.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;
use noodles::bcf;
use noodles::vcf::variant::record::{AlternateBases as _, Samples as _};

use crate::ad_match::{Field, MarkerIndex, Matches, Site, gt_alleles_from_text};
use crate::count_fields::{CountFields, RawInts};
use crate::panel::open_text;
use crate::vcf_ad::VcfAdError;

/// The 28-byte empty BGZF block that ends every htslib/noodles BGZF file.
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// Whether the file's (decompressed) content starts with the BCF magic.
pub(crate) fn is_bcf(path: &Path) -> std::io::Result<bool> {
    let mut magic = Vec::with_capacity(3);
    open_text(path)?.take(3).read_to_end(&mut magic)?;
    Ok(magic == b"BCF")
}

fn header_err(path: &Path, message: String) -> VcfAdError {
    VcfAdError::Header {
        path: path.to_path_buf(),
        message,
    }
}

/// Opens a BCF (BGZF or uncompressed) and reads its header.
fn open(path: &Path) -> Result<(bcf::io::Reader<Box<dyn Read>>, noodles::vcf::Header), VcfAdError> {
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(io)?;
    let compressed = n == 2 && magic == [0x1f, 0x8b];
    if compressed {
        let len = file.seek(SeekFrom::End(0)).map_err(io)?;
        let mut tail = [0u8; 28];
        let has_eof = len >= 28 && {
            file.seek(SeekFrom::End(-28)).map_err(io)?;
            file.read_exact(&mut tail).map_err(io)?;
            tail == BGZF_EOF
        };
        if !has_eof {
            return Err(header_err(
                path,
                "truncated BCF: the BGZF end-of-file block is missing (the file was cut short or is still being written)".into(),
            ));
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let inner: Box<dyn Read> = if compressed {
        Box::new(noodles::bgzf::io::Reader::new(file))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let inner = bounded_header_start(inner).map_err(|msg| header_err(path, msg))?;
    let mut reader = bcf::io::Reader::from(inner);
    let header = reader.read_header().map_err(|e| {
        header_err(
            path,
            format!(
                "cannot read the BCF header ({e}); expected a BCF as `bcftools view -Ob` writes"
            ),
        )
    })?;
    Ok((reader, header))
}

/// Largest BCF header text accepted: 256 MiB (real headers with thousands
/// of contigs and samples are a few MB).
const MAX_HEADER_TEXT: u32 = 256 << 20;

/// Largest `IDX=` accepted in a BCF header record. noodles sizes its string
/// dictionary to the largest IDX, so one `IDX=725000000` made it allocate
/// 17 GB (fuzz, 2026-12-03, a 2.6 kB file). Real dictionaries hold as many
/// entries as the header has INFO/FORMAT/FILTER/contig lines.
const MAX_HEADER_IDX: u64 = 1 << 20;

/// Reads the magic, `l_text` and the header text (BCF v2 spec §6.2:
/// `"BCF\2\x"`, uint32 `l_text`, text) and refuses a length over
/// [`MAX_HEADER_TEXT`] or an `IDX=` over [`MAX_HEADER_IDX`] before noodles
/// allocates them. The bytes read are put back in front of the stream for
/// noodles; a stream without the magic is left to noodles' own error.
fn bounded_header_start(mut inner: Box<dyn Read>) -> Result<Box<dyn Read>, String> {
    let mut head = Vec::with_capacity(9);
    let read_err = |e: std::io::Error| format!("cannot read the BCF header ({e})");
    (&mut inner)
        .take(9)
        .read_to_end(&mut head)
        .map_err(read_err)?;
    if head.len() == 9 && head.starts_with(b"BCF") {
        let l_text = u32::from_le_bytes([head[5], head[6], head[7], head[8]]);
        if l_text > MAX_HEADER_TEXT {
            return Err(format!(
                "the BCF header declares {l_text} bytes of text; expected at most {MAX_HEADER_TEXT} (corrupt BCF)"
            ));
        }
        (&mut inner)
            .take(u64::from(l_text))
            .read_to_end(&mut head)
            .map_err(read_err)?;
        check_header_idx(&head[9..])?;
    }
    Ok(Box::new(std::io::Cursor::new(head).chain(inner)))
}

/// Refuses an `IDX=` value over [`MAX_HEADER_IDX`] in the header text.
fn check_header_idx(text: &[u8]) -> Result<(), String> {
    for (i, _) in text.windows(4).enumerate().filter(|(_, w)| *w == b"IDX=") {
        let digits: Vec<u8> = text[i + 4..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        let n = std::str::from_utf8(&digits)
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        if digits.len() > 19 || n.is_some_and(|n| n > MAX_HEADER_IDX) {
            return Err(format!(
                "the BCF header gives a dictionary index IDX={}; expected at most {MAX_HEADER_IDX} (corrupt BCF)",
                String::from_utf8_lossy(&digits)
            ));
        }
    }
    Ok(())
}

/// Sample names of a BCF.
pub(crate) fn bcf_samples(path: &Path) -> Result<Vec<String>, VcfAdError> {
    let (_, header) = open(path)?;
    Ok(header.sample_names().iter().cloned().collect())
}

/// Reads `field` of `sample` at every marker.
pub(crate) fn scan_bcf(
    path: &Path,
    sample: &str,
    markers: &[Marker],
    field: Field,
) -> Result<Matches, VcfAdError> {
    let (mut reader, header) = open(path)?;
    let names = header.sample_names();
    let col = names
        .get_index_of(sample)
        .ok_or_else(|| VcfAdError::SampleNotFound {
            path: path.to_path_buf(),
            sample: sample.to_string(),
            available: names
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let fields = match field {
        Field::Ad => Some(CountFields::from_header(&header).map_err(|m| header_err(path, m))?),
        Field::Gt => None,
    };
    let wanted = Wanted {
        fields,
        header: &header,
        index: MarkerIndex::new(markers),
        col,
        n_names: names.len(),
        // The FORMAT key's index in the header's string map; absent from the
        // header = absent from every record.
        key_id: header.string_maps().strings().get_index_of(field.key()),
        sample,
    };
    let mut found = Matches::new(markers.len());
    let mut record = bcf::Record::default();
    let mut bytes = Vec::new();
    let mut n = 0usize;
    loop {
        n += 1;
        let err = |e: RecordError| VcfAdError::BcfRecord {
            path: path.to_path_buf(),
            record: n,
            site: e.site,
            message: e.message,
        };
        match next_record(reader.get_mut(), &mut bytes, &mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(err(RecordError {
                    site: String::new(),
                    message: format!("cannot read the record ({e}): truncated or corrupt BCF"),
                }));
            }
        }
        scan_record(&record, &header, &wanted, &mut found).map_err(err)?;
    }
    Ok(found)
}

/// What a scan reads from each record: the markers, the sample's column
/// (of `n_names` in the header) and the FORMAT key (`key_id`: its index in
/// the header's string map, `None` when the header lacks it).
struct Wanted<'a> {
    /// The read-count fields of the header (reading counts only).
    fields: Option<CountFields>,
    /// The header (its string map names the FORMAT keys).
    header: &'a noodles::vcf::Header,
    index: MarkerIndex<'a>,
    col: usize,
    n_names: usize,
    key_id: Option<usize>,
    sample: &'a str,
}

/// What is wrong with one record: its site (` (chr1:12345)`, empty before
/// the site is known) and the message.
struct RecordError {
    site: String,
    message: String,
}

/// Reads the next record into `record` (framing checked by
/// [`read_record_bytes`]); `Ok(false)` at the end of the file.
fn next_record(
    src: &mut dyn Read,
    bytes: &mut Vec<u8>,
    record: &mut bcf::Record,
) -> std::io::Result<bool> {
    let more = read_record_bytes(src, bytes)?;
    if more {
        bcf::io::Reader::from(bytes.as_slice()).read_record(record)?;
    }
    Ok(more)
}

/// Matches one record to the markers and, at a marker, records the wanted
/// sample's FORMAT value in `found`.
fn scan_record(
    record: &bcf::Record,
    header: &noodles::vcf::Header,
    w: &Wanted<'_>,
    found: &mut Matches,
) -> Result<(), RecordError> {
    let no_site = |message: String| RecordError {
        site: String::new(),
        message,
    };
    let chrom = record
        .reference_sequence_name(header.string_maps())
        .map_err(|e| no_site(format!("CHROM: {e}")))?;
    let Some(pos) = record.variant_start() else {
        return Ok(()); // position 0 (telomere): no marker there.
    };
    let pos = pos.map_err(|e| no_site(format!("POS: {e}")))?;
    let pos = GenomicPosition::from_one_based(usize::from(pos) as u64)
        .ok_or_else(|| no_site("POS 0".into()))?;
    let site = format!(" ({chrom}:{pos})");
    let bad = |message: String| RecordError {
        site: site.clone(),
        message,
    };
    let ref_bases = record.reference_bases();
    let reference =
        std::str::from_utf8(ref_bases.as_ref()).map_err(|_| bad("REF is not text".into()))?;
    let alt_bases = record.alternate_bases();
    let mut alts: Vec<&str> = alt_bases
        .iter()
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("ALT: {e}")))?;
    alts.retain(|a| *a != ".");
    if let Some(fields) = &w.fields {
        let end = crate::ad_match::may_be_block(&alts)
            .then(|| info_end(record, header))
            .flatten();
        let site = Site {
            chrom,
            pos,
            reference,
            alts: &alts,
            end,
        };
        return record_counts(record, w, fields, &site, found).map_err(bad);
    }
    let Some(hits) = w.index.hits(chrom, pos, reference, &alts) else {
        return Ok(());
    };
    let alleles = with_sample_value(record, w, w.key_id, |v| match v {
        Some(v) => gt_of(v).map_err(|m| format!("GT of sample '{}' : {m}", w.sample)),
        None => Ok(vec![None]),
    })
    .map_err(bad)?;
    found.add_gt(&hits, &alleles, &w.index);
    Ok(())
}

/// INFO/END of a record, when present and a positive integer.
fn info_end(record: &bcf::Record, header: &noodles::vcf::Header) -> Option<u64> {
    use noodles::vcf::variant::record::info::field::Value;
    match record.info().get(header, "END") {
        Some(Ok(Some(Value::Integer(n)))) => u64::try_from(n).ok(),
        _ => None,
    }
}

/// Applies `f` to the raw FORMAT value of key `key_id` (an index of the
/// header's string map; `None` = not in the header) for the wanted sample
/// (`None` = the record has no such key).
fn with_sample_value<T>(
    record: &bcf::Record,
    w: &Wanted<'_>,
    key_id: Option<usize>,
    f: impl FnOnce(Option<&RawValue<'_>>) -> Result<T, String>,
) -> Result<T, String> {
    let samples = record.samples().map_err(|e| format!("samples: {e}"))?;
    let n_samples = samples.len();
    if w.col >= n_samples {
        return Err(format!(
            "{n_samples} sample columns; expected {} (sample '{}')",
            w.n_names, w.sample
        ));
    }
    let value = match key_id {
        Some(id) => sample_value(
            samples.as_ref(),
            samples.format_count(),
            n_samples,
            id,
            w.col,
        )
        .map_err(|m| format!("FORMAT data: {m}"))?,
        None => None,
    };
    f(value.as_ref())
}

/// Reads the wanted sample's read counts at one record (any read-count
/// fields of [`CountFields`]).
fn record_counts(
    record: &bcf::Record,
    w: &Wanted<'_>,
    fields: &CountFields,
    site: &Site<'_>,
    found: &mut Matches,
) -> Result<(), String> {
    let strings = w.header.string_maps().strings();
    // A structural error of the record (not of one value) is reported as is.
    let mut structural = None;
    let mut get = |key: &str| -> Result<RawInts, String> {
        let r = with_sample_value(record, w, strings.get_index_of(key), |v| {
            Ok(v.map(|v| ints(v).map_err(|m| format!(": {m}"))))
        });
        match r {
            Ok(v) => v.transpose(),
            Err(m) => {
                structural = Some(m.clone());
                Err(m)
            }
        }
    };
    let r = crate::ad_match::add_record_counts(found, &w.index, fields, site, &mut get);
    if let Some(m) = structural {
        return Err(m);
    }
    r.map(|_| ())
        .map_err(|(f, m)| format!("{f} of sample '{}' {m}", w.sample))
}

/// Reads the next record's two length words and data into `buf`; `false`
/// at a clean end of file. The buffer grows with the data actually read,
/// so a corrupt length cannot make it allocate gigabytes up front.
fn read_record_bytes(src: &mut dyn Read, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    use std::io::{Error, ErrorKind};
    buf.clear();
    src.take(8).read_to_end(buf)?;
    let lens: [u8; 8] = match buf.as_slice().try_into() {
        Ok(l) => l,
        Err(_) if buf.is_empty() => return Ok(false),
        Err(_) => {
            return Err(Error::new(
                ErrorKind::UnexpectedEof,
                format!(
                    "the file ends {} bytes into the record's 8-byte length words",
                    buf.len()
                ),
            ));
        }
    };
    let l_shared = u32::from_le_bytes([lens[0], lens[1], lens[2], lens[3]]);
    let l_indiv = u32::from_le_bytes([lens[4], lens[5], lens[6], lens[7]]);
    if l_shared == 0 {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "record with an empty site block",
        ));
    }
    let want = u64::from(l_shared) + u64::from(l_indiv);
    let got = src.take(want).read_to_end(buf)?;
    if (got as u64) < want {
        return Err(Error::new(
            ErrorKind::UnexpectedEof,
            format!("the record needs {want} bytes but the file ends after {got}"),
        ));
    }
    Ok(true)
}

/// One sample's raw value of one FORMAT key: element type code (BCF2:
/// 1 = int8, 2 = int16, 3 = int32, 5 = float, 7 = char) and bytes.
struct RawValue<'a> {
    ty: u8,
    bytes: &'a [u8],
}

fn take<'a>(src: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if src.len() < n {
        return Err(format!("{} bytes left where {n} were expected", src.len()));
    }
    let (head, rest) = src.split_at(n);
    *src = rest;
    Ok(head)
}

fn elem_size(ty: u8) -> Result<usize, String> {
    match ty {
        1 | 7 => Ok(1),
        2 => Ok(2),
        3 | 5 => Ok(4),
        0 => Ok(0),
        t => Err(format!("type code {t}; expected 0, 1, 2, 3, 5 or 7")),
    }
}

/// Reads a typed-value descriptor: (type code, number of elements).
fn descriptor(src: &mut &[u8]) -> Result<(u8, usize), String> {
    let b = take(src, 1)?[0];
    let ty = b & 0x0f;
    let mut len = usize::from(b >> 4);
    if len == 15 {
        len = usize::try_from(typed_int(src)?).map_err(|_| "negative vector length".to_string())?;
    }
    Ok((ty, len))
}

/// Reads one typed scalar integer (a descriptor of length 1, then the value).
fn typed_int(src: &mut &[u8]) -> Result<i64, String> {
    let (ty, len) = descriptor(src)?;
    if len != 1 || !matches!(ty, 1..=3) {
        return Err(format!(
            "expected one integer, found type {ty} with {len} values"
        ));
    }
    let bytes = take(src, elem_size(ty)?)?;
    int_at(ty, bytes, 0).ok_or_else(|| "integer out of range".to_string())
}

/// The integer element `i` of a typed int vector (raw, sentinels included).
fn int_at(ty: u8, bytes: &[u8], i: usize) -> Option<i64> {
    match ty {
        1 => bytes.get(i).map(|&b| i64::from(b as i8)),
        2 => bytes
            .get(2 * i..2 * i + 2)
            .map(|b| i64::from(i16::from_le_bytes([b[0], b[1]]))),
        3 => bytes
            .get(4 * i..4 * i + 4)
            .map(|b| i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        _ => None,
    }
}

/// The value of FORMAT key `key_id` for sample `col`, from the record's
/// per-sample block (`n_fmt` keys × `n_samples` samples); `None` when the
/// record has no such key.
fn sample_value(
    block: &[u8],
    n_fmt: usize,
    n_samples: usize,
    key_id: usize,
    col: usize,
) -> Result<Option<RawValue<'_>>, String> {
    let mut src = block;
    for _ in 0..n_fmt {
        let key = typed_int(&mut src)?;
        let (ty, len) = descriptor(&mut src)?;
        let per_sample = elem_size(ty)?
            .checked_mul(len)
            .ok_or_else(|| "vector length overflows".to_string())?;
        let all = per_sample
            .checked_mul(n_samples)
            .ok_or_else(|| "vector length overflows".to_string())?;
        let data = take(&mut src, all)?;
        if usize::try_from(key).ok() == Some(key_id) {
            let start = per_sample * col;
            let bytes = data
                .get(start..start + per_sample)
                .ok_or_else(|| format!("no value for sample column {}", col + 1))?;
            return Ok(Some(RawValue { ty, bytes }));
        }
    }
    Ok(None)
}

/// Integer elements of a typed int vector up to the end-of-vector marker;
/// `None` for a missing element. Reserved sentinel values are errors.
fn ints(v: &RawValue<'_>) -> Result<Vec<Option<i64>>, String> {
    let (missing, eov) = match v.ty {
        1 => (i64::from(i8::MIN), i64::from(i8::MIN) + 1),
        2 => (i64::from(i16::MIN), i64::from(i16::MIN) + 1),
        3 => (i64::from(i32::MIN), i64::from(i32::MIN) + 1),
        t => return Err(format!("type code {t}; expected an integer vector")),
    };
    let n = v.bytes.len() / elem_size(v.ty)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let Some(x) = int_at(v.ty, v.bytes, i) else {
            break;
        };
        if x == eov {
            break;
        }
        if x == missing {
            out.push(None);
        } else if x < missing + 8 {
            return Err(format!("reserved integer value {x}"));
        } else {
            out.push(Some(x));
        }
    }
    Ok(out)
}

/// GT as allele indices (`None` = missing allele). BCF encodes each allele
/// as (index + 1) << 1 | phased; a character GT is parsed as VCF text.
fn gt_of(v: &RawValue<'_>) -> Result<Vec<Option<usize>>, String> {
    if v.ty == 7 {
        let text = String::from_utf8_lossy(v.bytes);
        return Ok(gt_alleles_from_text(text.trim_end_matches('\0')));
    }
    let alleles: Vec<Option<usize>> = ints(v)?
        .into_iter()
        .map(|x| {
            x.and_then(|x| usize::try_from(x >> 1).ok())
                .and_then(|i| i.checked_sub(1))
        })
        .collect();
    Ok(if alleles.is_empty() {
        vec![None]
    } else {
        alleles
    })
}
