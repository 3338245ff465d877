use std::{borrow::Cow, io};

use crate::{
    container::{
        block,
        compression_header::encoding::{Decode, Encode},
    },
    huffman::CanonicalHuffmanDecoder,
    io::{
        BitReader, BitWriter, reader::container::slice::records::ExternalDataReaders,
        writer::container::slice::records::ExternalDataWriters,
    },
};

#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Byte {
    External {
        block_content_id: block::ContentId,
    },
    Huffman {
        alphabet: Vec<i32>,
        bit_lens: Vec<u32>,
    },
}

impl Byte {
    pub fn decode_take<'de>(
        &self,
        core_data_reader: &mut BitReader<'de>,
        external_data_readers: &mut ExternalDataReaders<'de>,
        len: usize,
    ) -> io::Result<Cow<'de, [u8]>> {
        use crate::io::reader::container::slice::limits;

        let len = limits::check(len, limits::MAX_BYTE_ARRAY_LEN, "byte array length")?;

        match self {
            Self::External { block_content_id } => {
                let src = external_data_readers
                    .get_mut(block_content_id)
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("missing external block: {block_content_id}"),
                        )
                    })?;

                let buf = src
                    .split_off(..len)
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;

                Ok(Cow::from(buf))
            }
            Self::Huffman { alphabet, bit_lens } => {
                if alphabet.len() == 1 {
                    let value = alphabet[0] as u8;
                    Ok(Cow::from(vec![value; len]))
                } else {
                    let decoder = CanonicalHuffmanDecoder::new(alphabet, bit_lens);

                    (0..len)
                        .map(|_| decoder.decode(core_data_reader).map(|i| i as u8))
                        .collect::<io::Result<Vec<_>>>()
                        .map(Cow::from)
                }
            }
        }
    }

    pub fn encode_extend(
        &self,
        _core_data_writer: &mut BitWriter,
        external_data_writers: &mut ExternalDataWriters,
        src: &[u8],
    ) -> io::Result<()> {
        match self {
            Self::External { block_content_id } => {
                let dst = external_data_writers
                    .get_mut(block_content_id)
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("missing external block: {block_content_id}"),
                        )
                    })?;

                dst.extend(src);

                Ok(())
            }
            Self::Huffman { .. } => todo!(),
        }
    }
}

impl<'de> Decode<'de> for Byte {
    type Value = u8;

    fn decode(
        &self,
        core_data_reader: &mut BitReader<'de>,
        external_data_readers: &mut ExternalDataReaders<'de>,
    ) -> io::Result<Self::Value> {
        match self {
            Self::External { block_content_id } => {
                let src = external_data_readers
                    .get_mut(block_content_id)
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("missing external block: {block_content_id}"),
                        )
                    })?;

                let (n, rest) = src
                    .split_first()
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;

                *src = rest;

                Ok(*n)
            }
            Self::Huffman { alphabet, bit_lens } => {
                if alphabet.len() == 1 {
                    Ok(alphabet[0] as u8)
                } else {
                    let decoder = CanonicalHuffmanDecoder::new(alphabet, bit_lens);
                    decoder.decode(core_data_reader).map(|i| i as u8)
                }
            }
        }
    }
}

impl Encode<'_> for Byte {
    type Value = u8;

    fn encode(
        &self,
        _core_data_writer: &mut BitWriter,
        external_data_writers: &mut ExternalDataWriters,
        value: Self::Value,
    ) -> io::Result<()> {
        match self {
            Self::External { block_content_id } => {
                let dst = external_data_writers
                    .get_mut(block_content_id)
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("missing external block: {block_content_id}"),
                        )
                    })?;

                dst.push(value);

                Ok(())
            }
            _ => todo!("encode_byte: {:?}", self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::compression_header::Encoding;

    #[test]
    fn test_decode_take() -> io::Result<()> {
        fn t(codec: &Byte, len: usize, expected: &[u8]) -> io::Result<()> {
            let core_data = [0b10000000];
            let mut core_data_reader = BitReader::new(&core_data[..]);

            let external_data = b"ndls";
            let mut external_data_readers = ExternalDataReaders::new();
            external_data_readers.insert(1, &external_data[..]);

            let actual =
                codec.decode_take(&mut core_data_reader, &mut external_data_readers, len)?;

            assert_eq!(expected, &actual[..]);

            Ok(())
        }

        t(
            &Byte::External {
                block_content_id: 1,
            },
            4,
            b"ndls",
        )?;
        t(
            &Byte::Huffman {
                alphabet: vec![0x4e],
                bit_lens: vec![0],
            },
            4,
            &[0x4e, 0x4e, 0x4e, 0x4e],
        )?;
        t(
            &Byte::Huffman {
                alphabet: vec![0x4e, 0x44, 0x4c],
                bit_lens: vec![1, 2, 2],
            },
            4,
            &[0x44, 0x4e, 0x4e, 0x4e],
        )?;

        Ok(())
    }

    #[test]
    fn test_decode() -> io::Result<()> {
        fn t(encoding: &Encoding<Byte>, expected: u8) -> io::Result<()> {
            let core_data = [0b10000000];
            let mut core_data_reader = BitReader::new(&core_data[..]);

            let external_data = [0x0d];
            let mut external_data_readers = ExternalDataReaders::new();
            external_data_readers.insert(1, &external_data[..]);

            let actual = encoding.decode(&mut core_data_reader, &mut external_data_readers)?;

            assert_eq!(expected, actual);

            Ok(())
        }

        t(
            &Encoding::new(Byte::External {
                block_content_id: 1,
            }),
            0x0d,
        )?;
        t(
            &Encoding::new(Byte::Huffman {
                alphabet: vec![0x4e],
                bit_lens: vec![0],
            }),
            0x4e,
        )?;

        Ok(())
    }

    #[test]
    fn test_encode() -> io::Result<()> {
        fn t(
            encoding: &Encoding<Byte>,
            value: u8,
            expected_core_data: &[u8],
            expected_external_data: &[u8],
        ) -> io::Result<()> {
            let mut core_data_writer = BitWriter::default();

            let block_content_id = 1;
            let mut external_data_writers = [(block_content_id, Vec::new())].into_iter().collect();

            encoding.encode(&mut core_data_writer, &mut external_data_writers, value)?;

            let actual_core_data = core_data_writer.finish()?;
            assert_eq!(actual_core_data, expected_core_data);

            let actual_external_data = &external_data_writers[&block_content_id];
            assert_eq!(actual_external_data, expected_external_data);

            Ok(())
        }

        t(
            &Encoding::new(Byte::External {
                block_content_id: 1,
            }),
            0x0d,
            &[],
            &[0x0d],
        )?;

        Ok(())
    }
}
