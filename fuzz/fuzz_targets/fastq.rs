//! FASTQ reader (plain, gzip or BGZF by content) on arbitrary bytes, read
//! to the end in small batches.
#![no_main]
use graftwatch_genomics_io::fastq_reader::{FastqReader, ReadBatch};
use libfuzzer_sys::fuzz_target;

#[path = "common_file.rs"]
mod common_file;

fuzz_target!(|data: &[u8]| {
    let p = common_file::scratch("reads.fastq", data);
    let Ok(mut r) = FastqReader::open(&p) else {
        return;
    };
    let mut batch = ReadBatch::default();
    // Every batch consumes at least one record or ends the loop.
    while let Ok(n) = r.read_batch(&mut batch, 7) {
        batch.clear();
        if n == 0 {
            break;
        }
    }
});
