use std::{
    io::{self, Read},
    num::NonZero,
};

use crate::io::reader::num::{read_u8, read_uint7_as};

pub(super) fn decode(src: &mut &[u8], uncompressed_size: usize) -> io::Result<Vec<u8>> {
    let chunk_count = read_chunk_count(src)?;

    let compressed_sizes = read_compressed_sizes(src, chunk_count)?;
    let uncompressed_sizes = build_uncompressed_sizes(uncompressed_size, chunk_count);

    let chunks: Vec<_> = compressed_sizes
        .into_iter()
        .zip(uncompressed_sizes)
        .map(|(compressed_size, uncompressed_size)| {
            let buf = split_off(src, compressed_size)?;
            super::decode(buf, uncompressed_size)
        })
        .collect::<io::Result<_>>()?;

    Ok(transpose(&chunks, uncompressed_size))
}

fn read_chunk_count<R>(reader: &mut R) -> io::Result<NonZero<usize>>
where
    R: Read,
{
    read_u8(reader).and_then(|n| {
        NonZero::try_from(usize::from(n)).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    })
}

fn read_compressed_sizes<R>(reader: &mut R, chunk_count: NonZero<usize>) -> io::Result<Vec<usize>>
where
    R: Read,
{
    (0..chunk_count.get())
        .map(|_| read_uint7_as(reader))
        .collect()
}

// § 3.6 "Striped rANS Nx16" (2023-03-15): "The uncompressed data length may not necessary be an
// exact multiple of _N_, in which case the latter uncompressed sub-streams may be 1 byte shorter."
fn build_uncompressed_sizes(len: usize, chunk_count: NonZero<usize>) -> Vec<usize> {
    let n = chunk_count.get();

    (0..n)
        .map(|i| {
            // SAFETY: `n` > 0.
            let (q, r) = (len / n, len % n);
            if r > i { q + 1 } else { q }
        })
        .collect()
}

fn transpose<T>(chunks: &[T], uncompressed_size: usize) -> Vec<u8>
where
    T: AsRef<[u8]>,
{
    let mut dst = vec![0; uncompressed_size];

    for (i, chunk) in chunks.iter().enumerate() {
        for (j, s) in chunk.as_ref().iter().enumerate() {
            dst[j * chunks.len() + i] = *s;
        }
    }

    dst
}

fn split_off<'a>(src: &mut &'a [u8], len: usize) -> io::Result<&'a [u8]> {
    src.split_off(..len)
        .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_read_chunk_count() -> io::Result<()> {
        let src = [0x04];
        assert_eq!(
            read_chunk_count(&mut &src[..])?,
            const { NonZero::new(4).unwrap() }
        );

        let src = [];
        assert!(matches!(
            read_chunk_count(&mut &src[..]),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof
        ));

        Ok(())
    }

    #[test]
    fn test_read_compressed_sizes() -> io::Result<()> {
        let src = [0x05, 0x04, 0x04];

        assert_eq!(
            read_compressed_sizes(&mut &src[..], const { NonZero::new(3).unwrap() })?,
            [5, 4, 4]
        );

        Ok(())
    }

    #[test]
    fn test_build_uncompressed_sizes() {
        assert_eq!(
            build_uncompressed_sizes(13, const { NonZero::new(3).unwrap() }),
            [5, 4, 4]
        );
    }

    #[test]
    fn test_transpose() {
        // § 3.6 "Striped rANS Nx16" (2023-03-15)
        let chunks = [&b"abcde"[..], &b"ABCD"[..], &b"1234"[..]];
        let actual = transpose(&chunks, 13);
        let expected = b"aA1bB2cC3dD4e";
        assert_eq!(actual, expected);
    }
}
