//! # graftwatch-genomics-io
//!
//! File readers that turn lab files into the inputs of `graftwatch-chimerism`:
//! GeneMapper-style STR peak tables, VCF/BCF FORMAT/AD allele depths, BAM/CRAM
//! read counting at marker sites and alignment-free FASTQ counting, and the
//! chimerism run sheet (one row per tube of a plate).

mod ad_match;
pub mod bam_count;
mod bcf_ad;
mod count_fields;
pub mod decoder_guard;
pub mod error_table;
pub mod fasta;
pub mod fastq_count;
pub mod fastq_reader;
pub mod genemapper;
pub mod gz_input;
pub mod kmer;
pub mod marker_site;
pub mod ngs_run;
pub mod panel;
pub mod peak_columns;
pub mod peak_text;
pub mod run_sheet;
pub mod vcf_ad;
mod vcf_text;
