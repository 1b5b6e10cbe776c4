//! Records as a partition log stores them.
//!
//! A stored [`Record`] is 32 bytes inline: its offset, where its body lies and one shared,
//! immutable `Arc<[u8]>` holding the bodies of every record of its batch (timestamp, key, value,
//! headers, producer fields, timestamp type and the record's size in the Kafka v2 encoding). The
//! leader builds that allocation once per produce batch when it assigns the offsets (one
//! allocation and one free per batch, not per record, as Kafka keeps a batch as one buffer);
//! followers append clones of the leader's records, so every replica of a partition shares one
//! copy of each payload, and cloning a log (a simulation checkpoint) only bumps reference counts.
//! Compaction copies the bodies it keeps into a new allocation, as Kafka's cleaner writes new
//! batches, so a few survivors do not hold whole batches.
//!
//! ## Size model
//! Segment sizes, `segment.bytes`, `retention.bytes`, `max.message.bytes` and fetch byte limits
//! all use the size an uncompressed Kafka v2 batch would have on disk:
//! * a batch costs [`RECORD_BATCH_OVERHEAD`] (61) bytes of header, plus
//! * each record its exact `DefaultRecord.sizeInBytes`: a zig-zag varint length prefix, one
//!   attributes byte, varlong timestamp delta and varint offset delta (against the batch's first
//!   record), varint-length-prefixed key and value (`-1` = null, one byte) and headers.
//!
//! A record's size is fixed when its batch is built and never recomputed; after compaction a
//! segment costs the sum of its surviving records plus 61 bytes for every batch that still has a
//! record (Kafka keeps the batch header and the original deltas when it rewrites a batch).

use super::memory_records::Run;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use smol_str::SmolStr;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Kafka's `RecordBatch.NO_TIMESTAMP`.
pub const NO_TIMESTAMP: i64 = -1;

/// Bytes of a v2 record batch header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
pub const RECORD_BATCH_OVERHEAD: i64 = 61;

/// The most bytes a v2 record's length, attributes, timestamp and offset deltas take
/// (`DefaultRecord.MAX_RECORD_OVERHEAD`).
pub const MAX_RECORD_OVERHEAD: i64 = 21;

/// Which clock a record's timestamp comes from (`message.timestamp.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TimestampType {
    /// The producer's timestamp is kept (Kafka's default).
    CreateTime,
    /// The leader overwrites the timestamp with its clock when it appends the batch.
    LogAppendTime,
}

impl TimestampType {
    /// The name Kafka prints (`kafka-console-consumer --property print.timestamp=true`).
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record header as a producer sends it: a string key and a nullable value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// Idempotent-producer fields of a batch (`producerId`, `producerEpoch`, `baseSequence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerInfo {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
}

/// Producer fields of one stored record; `sequence` is the batch's base sequence plus the
/// record's position, wrapping from `i32::MAX` to 0 as Kafka's sequences do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordProducer {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub sequence: i32,
}

/// A record as a producer hands it to the leader, before it has an offset. The playground's
/// keys and values are text: short ones are held inline, longer ones shared with the
/// producer's copy (a Produce request does not copy them again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    /// CreateTime in ms, or [`NO_TIMESTAMP`].
    pub timestamp: i64,
    pub key: Option<SmolStr>,
    pub value: Option<SmolStr>,
    pub headers: Vec<Header>,
}

impl NewRecord {
    pub fn text(timestamp: i64, key: Option<&str>, value: Option<&str>) -> Self {
        NewRecord {
            timestamp,
            key: key.map(SmolStr::new),
            value: value.map(SmolStr::new),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, key: &str, value: Option<&[u8]>) -> Self {
        self.headers.push(Header {
            key: key.to_string(),
            value: value.map(<[u8]>::to_vec),
        });
        self
    }

    /// `DefaultRecord.sizeInBytes` for this record at `offset_delta`/`timestamp_delta` in its batch.
    pub fn size_in_batch(&self, offset_delta: i64, timestamp_delta: i64) -> i64 {
        let body = 1 + size_of_varlong(timestamp_delta) + size_of_varlong(offset_delta);
        let body = body + self.fields_size();
        size_of_varlong(body) + body
    }

    /// `AbstractRecords.estimateSizeInBytesUpperBound` (v2: `DefaultRecordBatch.
    /// estimateBatchSizeUpperBound`), which `KafkaProducer.send` checks against
    /// `max.request.size`: a batch of this record alone, its length prefix, attributes and
    /// deltas at their largest ([`MAX_RECORD_OVERHEAD`]).
    pub fn batch_size_upper_bound(&self) -> i64 {
        RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + self.fields_size()
    }

    /// `DefaultRecord.sizeOf`: the key, value and headers with their lengths.
    ///
    /// Lengths only: a key or value is never read for its size (`SmolStr::len` does not
    /// build the `&str`), as this runs twice for every record produced.
    fn fields_size(&self) -> i64 {
        let mut size = nullable_bytes_size(self.key.as_ref().map(SmolStr::len));
        size += nullable_bytes_size(self.value.as_ref().map(SmolStr::len));
        size += size_of_varlong(len_i64(self.headers.len()));
        for h in &self.headers {
            size += size_of_varlong(len_i64(h.key.len())) + len_i64(h.key.len());
            size += nullable_bytes_size(h.value.as_ref().map(Vec::len));
        }
        size
    }
}

/// Encoded size of a zig-zag varint/varlong (`ByteUtils.sizeOfVarlong`; equals `sizeOfVarint`
/// for values in `i32` range).
#[inline(always)]
pub fn size_of_varlong(value: i64) -> i64 {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    let mut bytes = 1;
    while v >= 0x80 {
        v >>= 7;
        bytes += 1;
    }
    bytes
}

/// The size of nullable bytes of length `len` (none: a -1 length, one byte).
fn nullable_bytes_size(len: Option<usize>) -> i64 {
    match len {
        None => 1,
        Some(len) => size_of_varlong(len_i64(len)) + len_i64(len),
    }
}

fn len_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

// Flags in the first byte of a record's payload.
const F_KEY: u8 = 1;
const F_VALUE: u8 = 2;
const F_LOG_APPEND_TIME: u8 = 4;
const F_PRODUCER: u8 = 8;
const F_HEADERS: u8 = 16;

/// A record stored in a segment: its offset and its body's place inline, the body in its
/// batch's shared allocation (the batch's bodies one after another).
///
/// Body layout (private): timestamp i64 LE; flags byte; offset delta within the batch u32 LE;
/// size in the batch u32 LE; [producer id i64, epoch i16, sequence i32, little endian];
/// [uvarint len + key]; [uvarint len + value]; [uvarint count, then per header uvarint len +
/// key, uvarint (len+1, 0 = null) + value]. The producer fields come before the key so that a
/// follower reads them (for its producer state) without walking key and value.
#[derive(Clone)]
pub struct Record {
    offset: i64,
    start: u32,
    end: u32,
    payload: Arc<[u8]>,
}

/// Where a body's flags byte is (after the timestamp).
const FLAGS_AT: usize = 8;

/// Where a body's offset delta and size are, and the fields after them. Fixed-width, as every
/// read, fetch and append reads them for every record (as varints they were ~8% of the
/// engine's time at a million records a second).
const DELTA_AT: usize = FLAGS_AT + 1;
const SIZE_AT: usize = DELTA_AT + 4;
const FIELDS_AT: usize = SIZE_AT + 4;

/// What a leader knows about a record when it builds the stored form.
pub(crate) struct RecordParts<'a> {
    pub offset: i64,
    pub timestamp: i64,
    pub timestamp_type: TimestampType,
    pub offset_delta: i64,
    pub size_in_batch: i64,
    pub record: &'a NewRecord,
    pub producer: Option<RecordProducer>,
}

/// A batch's records, encoded but not yet stored: the leader checks its size, then stores the
/// run as it is.
pub(crate) struct EncodedBatch {
    pub(crate) run: Run,
    /// The records' sizes in the batch, summed (without the batch header).
    pub(crate) records_size: i64,
}

/// The records whose bodies lie at `places` (offset, body start, body end) in `payload`.
fn stored(payload: &Arc<[u8]>, places: impl ExactSizeIterator<Item = (i64, u32, u32)>) -> Run {
    Run::collect(places.map(|(offset, start, end)| Record {
        offset,
        start,
        end,
        payload: Arc::clone(payload),
    }))
}

/// Positions of a body's fields, relative to the body.
#[derive(Clone, Copy)]
struct Layout {
    flags: u8,
    key: Option<(usize, usize)>,
    value: Option<(usize, usize)>,
    headers_at: usize,
}

impl Record {
    /// A record alone in its batch.
    pub(crate) fn build(parts: RecordParts<'_>) -> Record {
        let mut one = Record::build_batch([parts]);
        one.pop().unwrap_or_else(|| Record {
            offset: 0,
            start: 0,
            end: 0,
            payload: Arc::from(&[][..]),
        })
    }

    /// The stored records of one batch, in order; their bodies share one allocation.
    pub(crate) fn build_batch<'a>(parts: impl IntoIterator<Item = RecordParts<'a>>) -> Vec<Record> {
        Record::encode_batch(parts).run.to_vec()
    }

    /// One batch's bodies, encoded into their shared allocation.
    pub(crate) fn encode_batch<'a>(
        parts: impl IntoIterator<Item = RecordParts<'a>>,
    ) -> EncodedBatch {
        type Scratch = (Vec<u8>, Vec<(i64, u32, u32)>);
        thread_local! {
            // The payload and the records' places are written here (no allocation per batch),
            // then copied once each into their shared allocations.
            static SCRATCH: std::cell::RefCell<Scratch> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        let mut records_size = 0;
        SCRATCH.with(|scratch| {
            let (buf, places) = &mut *scratch.borrow_mut();
            buf.clear();
            places.clear();
            for part in parts {
                let start = position(buf);
                Record::encode(&part, buf);
                places.push((part.offset, start, position(buf)));
                records_size += part.size_in_batch;
            }
            EncodedBatch {
                run: stored(&Arc::from(&buf[..]), places.drain(..)),
                records_size,
            }
        })
    }

    /// The same records with their bodies copied into one new allocation, as Kafka's cleaner
    /// writes the records it keeps into new batches: what compaction keeps no longer holds on
    /// to the whole batches its removed records came in.
    pub(crate) fn repacked(records: &[Record]) -> Run {
        let mut buf = Vec::with_capacity(records.iter().map(|r| r.body().len()).sum());
        let mut places = Vec::with_capacity(records.len());
        for r in records {
            let start = position(&buf);
            buf.extend_from_slice(r.body());
            places.push((r.offset, start, position(&buf)));
        }
        stored(&Arc::from(buf), places.into_iter())
    }

    fn encode(parts: &RecordParts<'_>, buf: &mut Vec<u8>) {
        let r = parts.record;
        let mut flags = 0u8;
        // The fixed fields are written at fixed places of an array, then copied in at once: a
        // push per field was a call per field in WebAssembly, where `Vec::reserve` is not
        // inlined (~3% of its engine).
        let mut head = [0u8; FIELDS_AT + 14];
        head[..FLAGS_AT].copy_from_slice(&parts.timestamp.to_le_bytes());
        head[DELTA_AT..SIZE_AT]
            .copy_from_slice(&u32::try_from(parts.offset_delta).unwrap_or(0).to_le_bytes());
        let size = u32::try_from(parts.size_in_batch).unwrap_or(u32::MAX);
        head[SIZE_AT..FIELDS_AT].copy_from_slice(&size.to_le_bytes());
        let mut len = FIELDS_AT;
        if let Some(p) = parts.producer {
            flags |= F_PRODUCER;
            head[FIELDS_AT..FIELDS_AT + 8].copy_from_slice(&p.producer_id.to_le_bytes());
            head[FIELDS_AT + 8..FIELDS_AT + 10].copy_from_slice(&p.producer_epoch.to_le_bytes());
            head[FIELDS_AT + 10..FIELDS_AT + 14].copy_from_slice(&p.sequence.to_le_bytes());
            len += 14;
        }
        if r.key.is_some() {
            flags |= F_KEY;
        }
        if r.value.is_some() {
            flags |= F_VALUE;
        }
        if parts.timestamp_type == TimestampType::LogAppendTime {
            flags |= F_LOG_APPEND_TIME;
        }
        if !r.headers.is_empty() {
            flags |= F_HEADERS;
        }
        head[FLAGS_AT] = flags;
        buf.extend_from_slice(&head[..len]);
        if let Some(k) = &r.key {
            put_bytes(buf, k.as_bytes());
        }
        if let Some(v) = &r.value {
            put_bytes(buf, v.as_bytes());
        }
        if !r.headers.is_empty() {
            put_uvarint(buf, r.headers.len() as u64);
            for h in &r.headers {
                put_bytes(buf, h.key.as_bytes());
                match &h.value {
                    None => put_uvarint(buf, 0),
                    Some(v) => {
                        put_uvarint(buf, v.len() as u64 + 1);
                        buf.extend_from_slice(v);
                    }
                }
            }
        }
    }

    /// This record's body within the batch payload. The payload is only ever written by
    /// [`Record::build_batch`], so a body out of its bounds cannot happen; it would read as an
    /// empty body (accessors then answer "absent") rather than panic.
    #[inline(always)]
    fn body(&self) -> &[u8] {
        let (start, end) = (self.start as usize, self.end as usize);
        self.payload.get(start..end).unwrap_or(&[])
    }

    /// Parses a body's framing.
    fn layout(p: &[u8]) -> Option<Layout> {
        let flags = *p.get(FLAGS_AT)?;
        let mut pos = FIELDS_AT;
        if flags & F_PRODUCER != 0 {
            pos += 14;
        }
        let take = |present: bool, pos: &mut usize| -> Option<Option<(usize, usize)>> {
            if !present {
                return Some(None);
            }
            let len = usize::try_from(get_uvarint(p, pos)?).ok()?;
            let start = *pos;
            *pos = start.checked_add(len)?;
            (*pos <= p.len()).then_some(Some((start, len)))
        };
        let key = take(flags & F_KEY != 0, &mut pos)?;
        let value = take(flags & F_VALUE != 0, &mut pos)?;
        Some(Layout {
            flags,
            key,
            value,
            headers_at: pos,
        })
    }

    /// The body and its layout.
    fn parsed(&self) -> Option<(&[u8], Layout)> {
        let body = self.body();
        Some((body, Record::layout(body)?))
    }

    fn slice(body: &[u8], range: Option<(usize, usize)>) -> Option<&[u8]> {
        let (start, len) = range?;
        body.get(start..start + len)
    }

    pub fn offset(&self) -> i64 {
        self.offset
    }

    pub fn timestamp(&self) -> i64 {
        self.body()
            .get(..FLAGS_AT)
            .and_then(|b| b.try_into().ok())
            .map_or(NO_TIMESTAMP, i64::from_le_bytes)
    }

    pub fn timestamp_type(&self) -> TimestampType {
        match self.parsed() {
            Some((_, l)) if l.flags & F_LOG_APPEND_TIME != 0 => TimestampType::LogAppendTime,
            _ => TimestampType::CreateTime,
        }
    }

    /// The key, `None` when null (an empty key is `Some(&[])`).
    pub fn key(&self) -> Option<&[u8]> {
        let (body, l) = self.parsed()?;
        Record::slice(body, l.key)
    }

    /// The value, `None` for a tombstone (an empty value is `Some(&[])`).
    pub fn value(&self) -> Option<&[u8]> {
        let (body, l) = self.parsed()?;
        Record::slice(body, l.value)
    }

    /// The key as text (invalid UTF-8 replaced), for display.
    pub fn key_text(&self) -> Option<Cow<'_, str>> {
        self.key().map(String::from_utf8_lossy)
    }

    /// The value as text (invalid UTF-8 replaced), for display.
    pub fn value_text(&self) -> Option<Cow<'_, str>> {
        self.value().map(String::from_utf8_lossy)
    }

    pub fn has_key(&self) -> bool {
        self.parsed().is_some_and(|(_, l)| l.flags & F_KEY != 0)
    }

    /// A record with a null value: a delete marker for its key in a compacted topic.
    pub fn is_tombstone(&self) -> bool {
        self.parsed().is_some_and(|(_, l)| l.flags & F_VALUE == 0)
    }

    /// Read without walking key and value, which come after these fields.
    pub fn producer(&self) -> Option<RecordProducer> {
        let body = self.body();
        if body.get(FLAGS_AT)? & F_PRODUCER == 0 {
            return None;
        }
        let b = body.get(FIELDS_AT..FIELDS_AT + 14)?;
        Some(RecordProducer {
            producer_id: i64::from_le_bytes(b[0..8].try_into().ok()?),
            producer_epoch: i16::from_le_bytes(b[8..10].try_into().ok()?),
            sequence: i32::from_le_bytes(b[10..14].try_into().ok()?),
        })
    }

    /// Headers in order: key and nullable value.
    pub fn headers(&self) -> Vec<(Cow<'_, str>, Option<&[u8]>)> {
        let mut out = Vec::new();
        let Some((p, l)) = self.parsed() else {
            return out;
        };
        if l.flags & F_HEADERS == 0 {
            return out;
        }
        let mut pos = l.headers_at;
        let Some(count) = get_uvarint(p, &mut pos) else {
            return out;
        };
        for _ in 0..count {
            let Some(klen) = get_uvarint(p, &mut pos).and_then(|n| usize::try_from(n).ok()) else {
                break;
            };
            let Some(key) = p.get(pos..pos.saturating_add(klen)) else {
                break;
            };
            pos += klen;
            let Some(vtag) = get_uvarint(p, &mut pos).and_then(|n| usize::try_from(n).ok()) else {
                break;
            };
            let value = if vtag == 0 {
                None
            } else {
                let Some(v) = p.get(pos..pos.saturating_add(vtag - 1)) else {
                    break;
                };
                pos += vtag - 1;
                Some(v)
            };
            out.push((String::from_utf8_lossy(key), value));
        }
        out
    }

    /// The offset delta and size at the head of the body, without walking key and value
    /// (fetch byte limits and segment sizes read only these).
    fn framing(&self) -> (i64, i64) {
        let p = self.body();
        let u32_at = |at: usize| {
            p.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, |b| i64::from(u32::from_le_bytes(b)))
        };
        (u32_at(DELTA_AT), u32_at(SIZE_AT))
    }

    /// This record's bytes in its batch (see the module's size model).
    pub fn size_in_batch(&self) -> i64 {
        self.framing().1
    }

    /// Base offset of the batch the leader appended this record in.
    pub fn batch_base_offset(&self) -> i64 {
        self.batch_and_size().0
    }

    /// [`Record::batch_base_offset`] and [`Record::size_in_batch`] read together (what byte
    /// accounting needs per record).
    pub fn batch_and_size(&self) -> (i64, i64) {
        let (delta, size) = self.framing();
        (self.offset - delta, size)
    }

    /// Same key and value. Replicas share the leader's payload, so this is usually a pointer
    /// comparison.
    pub fn same_content(&self, other: &Record) -> bool {
        (self.start == other.start && Arc::ptr_eq(&self.payload, &other.payload))
            || (self.key() == other.key() && self.value() == other.value())
    }

    /// Key plus value bytes (what the user sees as the record's content).
    pub fn payload_len(&self) -> usize {
        self.parsed().map_or(0, |(_, l)| {
            l.key.map_or(0, |k| k.1) + l.value.map_or(0, |v| v.1)
        })
    }

    /// Bytes of the shared allocation, which the records of one batch share (for memory
    /// accounting: count it once per batch, see [`Record::shares_payload_with`]).
    pub fn shared_bytes(&self) -> usize {
        self.payload.len()
    }

    /// True if both records point at the same shared payload: replicas of a record share it
    /// (never copy), and so do the records of one batch.
    pub fn shares_payload_with(&self, other: &Record) -> bool {
        Arc::ptr_eq(&self.payload, &other.payload)
    }

    /// A copy at another offset, sharing the payload (test fixtures only).
    pub(crate) fn relocated(&self, offset: i64) -> Record {
        Record {
            offset,
            ..self.clone()
        }
    }
}

/// Records are equal when offset and body are (wherever the bodies are stored).
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.offset == other.offset && self.body() == other.body()
    }
}

impl Eq for Record {}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("offset", &self.offset)
            .field("timestamp", &self.timestamp())
            .field("key", &self.key_text())
            .field("value", &self.value_text())
            .finish()
    }
}

/// Serialized for traces, views and exports: key, value and header values as (lossy) UTF-8
/// text, `null` when absent.
impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let headers: Vec<(String, Option<String>)> = self
            .headers()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.into_owned(),
                    v.map(|v| String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect();
        let mut s = serializer.serialize_struct("Record", 6)?;
        s.serialize_field("offset", &self.offset)?;
        s.serialize_field("timestamp", &self.timestamp())?;
        s.serialize_field("timestamp_type", &self.timestamp_type())?;
        s.serialize_field("key", &self.key_text())?;
        s.serialize_field("value", &self.value_text())?;
        s.serialize_field("headers", &headers)?;
        s.end()
    }
}

/// Bytes a run of records costs on disk: their sizes plus one batch header per batch present.
/// Records of one batch are contiguous, so a new batch starts wherever the base offset changes.
pub(crate) fn records_size<'a>(records: impl IntoIterator<Item = &'a Record>) -> i64 {
    let mut size = RecordsSize::default();
    for r in records {
        size.add(r);
    }
    size.total
}

/// [`records_size`], counted one record at a time.
#[derive(Default)]
pub(crate) struct RecordsSize {
    pub total: i64,
    last_batch: Option<i64>,
}

impl RecordsSize {
    #[inline]
    pub fn add(&mut self, r: &Record) {
        let (batch, size) = r.batch_and_size();
        if self.last_batch != Some(batch) {
            self.total += RECORD_BATCH_OVERHEAD;
            self.last_batch = Some(batch);
        }
        self.total += size;
    }
}

#[inline(always)]
fn put_uvarint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Where the next body starts. A batch is at most max.message.bytes and a segment at most
/// segment.bytes (both i32), so positions fit in u32; one that did not would read as an empty
/// body, not panic.
fn position(buf: &[u8]) -> u32 {
    u32::try_from(buf.len()).unwrap_or(u32::MAX)
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    put_uvarint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

#[inline(always)]
fn get_uvarint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(r: &NewRecord, producer: Option<RecordProducer>) -> Record {
        Record::build(RecordParts {
            offset: 42,
            timestamp: 1_000,
            timestamp_type: TimestampType::CreateTime,
            offset_delta: 2,
            size_in_batch: r.size_in_batch(2, 0),
            record: r,
            producer,
        })
    }

    #[test]
    fn record_stays_small() {
        // Inline part of every retained record; the payload allocation is shared by replicas.
        assert!(
            std::mem::size_of::<Record>() <= 32,
            "{}",
            std::mem::size_of::<Record>()
        );
    }

    #[test]
    fn records_of_a_batch_share_one_payload_and_read_their_own_fields() {
        let news: Vec<NewRecord> = (0..5)
            .map(|i| {
                let key = (i != 2).then(|| format!("k{i}"));
                let value = (i != 3).then(|| "v".repeat(i * 60));
                let r = NewRecord::text(i as i64, key.as_deref(), value.as_deref());
                if i == 4 {
                    r.with_header("h", Some(b"x"))
                } else {
                    r
                }
            })
            .collect();
        let stored = Record::build_batch(news.iter().enumerate().map(|(i, r)| {
            let i = i as i64;
            RecordParts {
                offset: 100 + i,
                timestamp: 1_000 + i,
                timestamp_type: TimestampType::CreateTime,
                offset_delta: i,
                size_in_batch: r.size_in_batch(i, i),
                record: r,
                producer: Some(RecordProducer {
                    producer_id: 9,
                    producer_epoch: 1,
                    sequence: 20 + i as i32,
                }),
            }
        }));
        assert_eq!(stored.len(), 5);
        for (i, (s, n)) in stored.iter().zip(&news).enumerate() {
            assert_eq!(s.offset(), 100 + i as i64);
            assert_eq!(s.timestamp(), 1_000 + i as i64);
            assert_eq!(s.key(), n.key.as_deref().map(str::as_bytes));
            assert_eq!(s.value(), n.value.as_deref().map(str::as_bytes));
            assert_eq!(s.headers().len(), n.headers.len());
            assert_eq!(s.producer().map(|p| p.sequence), Some(20 + i as i32));
            assert_eq!(
                s.batch_and_size(),
                (100, n.size_in_batch(i as i64, i as i64))
            );
            assert!(s.shares_payload_with(&stored[0]));
        }
        assert!(!stored[0].same_content(&stored[1]));
        assert!(stored[1].same_content(&stored[1].clone()));
        // The batch's bodies lie one after another in the one allocation.
        assert_eq!(stored[0].start, 0);
        assert!(stored.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(stored[4].end as usize, stored[0].shared_bytes());
        // Equality is offset and content, wherever the body is stored.
        let alone = Record::build(RecordParts {
            offset: 101,
            timestamp: 1_001,
            timestamp_type: TimestampType::CreateTime,
            offset_delta: 1,
            size_in_batch: news[1].size_in_batch(1, 1),
            record: &news[1],
            producer: stored[1].producer(),
        });
        assert!(!alone.shares_payload_with(&stored[1]));
        assert_eq!(alone, stored[1]);
        assert_ne!(alone, stored[2]);
    }

    #[test]
    fn null_and_empty_are_different() {
        let r = build(&NewRecord::text(0, None, Some("")), None);
        assert_eq!(r.key(), None);
        assert_eq!(r.value(), Some(&b""[..]));
        assert!(!r.is_tombstone());
        assert!(!r.has_key());
        let t = build(&NewRecord::text(0, Some(""), None), None);
        assert_eq!(t.key(), Some(&b""[..]));
        assert!(t.is_tombstone());
        assert!(t.has_key());
    }

    #[test]
    fn round_trips_everything() {
        let nr = NewRecord::text(5, Some("user-1"), Some("hello"))
            .with_header("trace", Some(b"abc"))
            .with_header("empty", None);
        let p = RecordProducer {
            producer_id: 7,
            producer_epoch: 3,
            sequence: 11,
        };
        let r = build(&nr, Some(p));
        assert_eq!(r.offset(), 42);
        assert_eq!(r.timestamp(), 1_000);
        assert_eq!(r.key_text().as_deref(), Some("user-1"));
        assert_eq!(r.value_text().as_deref(), Some("hello"));
        assert_eq!(r.producer(), Some(p));
        let h = r.headers();
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].0.as_ref(), h[0].1), ("trace", Some(&b"abc"[..])));
        assert_eq!((h[1].0.as_ref(), h[1].1), ("empty", None));
        assert_eq!(r.batch_base_offset(), 40);
        assert_eq!(r.size_in_batch(), nr.size_in_batch(2, 0));
        assert_eq!(r.timestamp_type(), TimestampType::CreateTime);
    }

    #[test]
    fn kafka_v2_record_sizes() {
        // key "k", value "v", no headers, deltas 0: body = 1 attr + 1 ts + 1 off + 2 key
        // + 2 value + 1 header count = 8, plus a 1-byte length prefix.
        assert_eq!(
            NewRecord::text(0, Some("k"), Some("v")).size_in_batch(0, 0),
            9
        );
        // Null key and null value cost one byte each (varint -1).
        assert_eq!(NewRecord::text(0, None, None).size_in_batch(0, 0), 7);
        // A 100-byte value needs a 2-byte varint length (zig-zag 200 > 127).
        let big = "x".repeat(100);
        // body = 1 + 1 + 1 + 1 (null key) + 2 + 100 + 1 = 107, whose own prefix is 2 bytes.
        assert_eq!(
            NewRecord::text(0, None, Some(&big)).size_in_batch(0, 0),
            109
        );
        // `estimateBatchSizeUpperBound`: 61 + 21 + 1 (null key) + 2 + 300 + 1 (no headers).
        let value = "x".repeat(300);
        assert_eq!(
            NewRecord::text(0, None, Some(&value)).batch_size_upper_bound(),
            386
        );
        assert_eq!(size_of_varlong(-1), 1);
        assert_eq!(size_of_varlong(63), 1);
        assert_eq!(size_of_varlong(64), 2);
        assert_eq!(size_of_varlong(i64::MAX), 10);
    }
}
