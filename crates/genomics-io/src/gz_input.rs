//! The one opener of text inputs (panel and genotype VCFs, FASTA, FASTQ,
//! error tables) that may be plain or gzip/BGZF-compressed, decided by the
//! file's magic bytes rather than its extension, and the line reader that
//! notices a file cut short.
//!
//! Integrity: a gzip member's CRC and length trailer is checked by the
//! decoder (a stream cut inside a member is an error); a BGZF file (gzip
//! with the `BC` extra field, as bgzip and htslib write) must end with the
//! 28-byte BGZF end-of-file block, so a file cut exactly at a block boundary
//! is reported as truncated too; and [`CheckedLines`] reports a last line
//! without a line end (a plain file cut mid-line). A plain file cut exactly
//! between two lines cannot be told from a shorter file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The empty BGZF block htslib writes at the end of every BGZF file.
pub const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// True when the first gzip member's header carries the BGZF `BC` extra
/// subfield.
fn is_bgzf_header(h: &[u8]) -> bool {
    h.len() >= 16
        && h[0] == 0x1f
        && h[1] == 0x8b
        && h[3] & 0x04 != 0
        && h[12] == b'B'
        && h[13] == b'C'
}

/// Checks that a BGZF file ends with [`BGZF_EOF`].
fn check_bgzf_eof(file: &mut File) -> io::Result<()> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut tail = [0u8; 28];
    let ok = len >= 28 && {
        file.seek(SeekFrom::End(-28))?;
        file.read_exact(&mut tail)?;
        tail == BGZF_EOF
    };
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated: the BGZF end-of-file block is missing (file cut short or still being written)",
        ))
    }
}

/// Buffer size for sequence inputs (FASTA, FASTQ).
const BUFFER_SIZE: usize = 1 << 17;

/// Opens `path` for buffered reading, transparently decompressing gzip and
/// BGZF (multi-member gzip) content.
pub fn open_maybe_gzip(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 16];
    let n = read_up_to(&mut file, &mut magic)?;
    if n >= 2 && magic[..2] == [0x1f, 0x8b] && is_bgzf_header(&magic[..n]) {
        check_bgzf_eof(&mut file)?;
    }
    let file = File::open(path)?;
    if n >= 2 && magic[..2] == [0x1f, 0x8b] {
        let decoder =
            flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUFFER_SIZE, file));
        Ok(Box::new(BufReader::with_capacity(BUFFER_SIZE, decoder)))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUFFER_SIZE, file)))
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Lines of a text input (without the line end, `\r` removed); the last
/// line of a file that does not end with a line end is an error
/// (`UnexpectedEof`, "truncated"), because a file cut mid-line would
/// otherwise yield a shortened last record (AD "6419,16" read as "6419,1").
pub struct CheckedLines<R> {
    reader: R,
    buf: String,
    first: bool,
}

impl<R: BufRead> CheckedLines<R> {
    /// Wraps a reader.
    pub fn new(reader: R) -> Self {
        CheckedLines {
            reader,
            buf: String::new(),
            first: true,
        }
    }
}

impl<R: BufRead> Iterator for CheckedLines<R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<io::Result<String>> {
        self.buf.clear();
        match self.reader.read_line(&mut self.buf) {
            Ok(0) => None,
            Ok(_) => {
                if !self.buf.ends_with('\n') {
                    return Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "truncated: the last line has no line end (file cut short)",
                    )));
                }
                let mut line = self.buf.trim_end_matches('\n').trim_end_matches('\r');
                if std::mem::take(&mut self.first) {
                    // A UTF-8 byte-order mark (Windows editors) is not content.
                    line = line.strip_prefix('\u{feff}').unwrap_or(line);
                }
                Some(Ok(line.to_string()))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_from_the_first_line_only() {
        let lines: Vec<String> = CheckedLines::new("\u{feff}##a\n\u{feff}b\n".as_bytes())
            .map(Result::unwrap)
            .collect();
        assert_eq!(lines, ["##a", "\u{feff}b"]);
    }

    #[test]
    fn a_last_line_without_line_end_is_truncation() {
        let lines: Vec<io::Result<String>> = CheckedLines::new(&b"a\r\nb\nc"[..]).collect();
        assert_eq!(lines[0].as_ref().unwrap(), "a");
        assert_eq!(lines[1].as_ref().unwrap(), "b");
        let e = lines[2].as_ref().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(e.to_string().contains("truncated"));
        assert_eq!(CheckedLines::new(&b"a\n"[..]).count(), 1);
    }

    #[test]
    fn bgzf_without_eof_block_is_truncated_and_magic_read_survives_short_reads() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("gw-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // One BGZF block holding "x\n" (written by hand: header with BC
        // extra field, raw deflate, CRC, size) followed by the EOF block.
        let mut deflated = Vec::new();
        {
            let mut enc =
                flate2::write::DeflateEncoder::new(&mut deflated, flate2::Compression::default());
            enc.write_all(b"x\n").unwrap();
            enc.finish().unwrap();
        }
        let bsize = (deflated.len() + 25) as u16;
        let mut block = vec![
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ];
        block.extend_from_slice(&bsize.to_le_bytes());
        block.extend_from_slice(&deflated);
        let mut crc = flate2::Crc::new();
        crc.update(b"x\n");
        block.extend_from_slice(&crc.sum().to_le_bytes());
        block.extend_from_slice(&2u32.to_le_bytes());
        let full = dir.join("full.gz");
        let mut f = std::fs::File::create(&full).unwrap();
        f.write_all(&block).unwrap();
        f.write_all(&BGZF_EOF).unwrap();
        drop(f);
        let mut s = String::new();
        open_maybe_gzip(&full)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "x\n");
        let cut = dir.join("cut.gz");
        std::fs::write(&cut, &block).unwrap();
        let e = open_maybe_gzip(&cut).err().expect("truncated");
        assert!(e.to_string().contains("truncated"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
