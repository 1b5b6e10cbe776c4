//! Errors a partition log returns, named as Kafka names them, with Kafka's messages.

use std::fmt;

/// A log operation that Kafka would refuse. `Display` prints Kafka's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogError {
    /// Fetch below the log start offset or above the log end offset; DeleteRecords above HW.
    OffsetOutOfRange { message: String },
    /// DeleteRecords on a topic whose `cleanup.policy` lacks `delete`.
    PolicyViolation { message: String },
    /// A batch larger than `max.message.bytes`.
    RecordTooLarge { message: String },
    /// A batch larger than `segment.bytes`.
    RecordBatchTooLarge { message: String },
    /// A CreateTime outside `message.timestamp.before.max.ms` / `after.max.ms`.
    InvalidTimestamp { message: String },
    /// A batch the log cannot store (e.g. empty).
    InvalidRecord { message: String },
    /// A follower append that starts below the log end offset (Kafka's
    /// `UnexpectedAppendOffsetException`, an internal error).
    UnexpectedAppendOffset { message: String },
    /// A follower append whose offsets do not increase (`OffsetsOutOfOrderException`).
    OffsetsOutOfOrder { message: String },
    /// Arguments no Kafka client could send (negative truncation offset, inconsistent fixture).
    InvalidRequest { message: String },
}

impl LogError {
    /// Kafka's protocol error name (`Errors` enum), as the CLI tools print it.
    pub fn error_name(&self) -> &'static str {
        match self {
            LogError::OffsetOutOfRange { .. } => "OFFSET_OUT_OF_RANGE",
            LogError::PolicyViolation { .. } => "POLICY_VIOLATION",
            LogError::RecordTooLarge { .. } => "MESSAGE_TOO_LARGE",
            LogError::RecordBatchTooLarge { .. } => "RECORD_LIST_TOO_LARGE",
            LogError::InvalidTimestamp { .. } => "INVALID_TIMESTAMP",
            LogError::InvalidRecord { .. } => "INVALID_RECORD",
            LogError::UnexpectedAppendOffset { .. } | LogError::OffsetsOutOfOrder { .. } => {
                "UNKNOWN_SERVER_ERROR"
            }
            LogError::InvalidRequest { .. } => "INVALID_REQUEST",
        }
    }

    /// The Java exception class a client would see.
    pub fn exception_name(&self) -> &'static str {
        match self {
            LogError::OffsetOutOfRange { .. } => "OffsetOutOfRangeException",
            LogError::PolicyViolation { .. } => "PolicyViolationException",
            LogError::RecordTooLarge { .. } => "RecordTooLargeException",
            LogError::RecordBatchTooLarge { .. } => "RecordBatchTooLargeException",
            LogError::InvalidTimestamp { .. } => "InvalidTimestampException",
            LogError::InvalidRecord { .. } => "InvalidRecordException",
            LogError::UnexpectedAppendOffset { .. } => "UnexpectedAppendOffsetException",
            LogError::OffsetsOutOfOrder { .. } => "OffsetsOutOfOrderException",
            LogError::InvalidRequest { .. } => "InvalidRequestException",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            LogError::OffsetOutOfRange { message }
            | LogError::PolicyViolation { message }
            | LogError::RecordTooLarge { message }
            | LogError::RecordBatchTooLarge { message }
            | LogError::InvalidTimestamp { message }
            | LogError::InvalidRecord { message }
            | LogError::UnexpectedAppendOffset { message }
            | LogError::OffsetsOutOfOrder { message }
            | LogError::InvalidRequest { message } => message,
        }
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for LogError {}
