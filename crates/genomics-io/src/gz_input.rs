//! Opening a text input that may be plain or gzip/BGZF-compressed, decided by
//! the file's magic bytes rather than its extension.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Buffer size for sequence inputs (FASTA, FASTQ).
const BUFFER_SIZE: usize = 1 << 17;

/// Opens `path` for buffered reading, transparently decompressing gzip and
/// BGZF (multi-member gzip) content.
pub fn open_maybe_gzip(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut file, &mut magic)?;
    let file = File::open(path)?;
    if n == 2 && magic == [0x1f, 0x8b] {
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
