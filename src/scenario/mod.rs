//! Scenario files: shareable, versioned descriptions of a cluster and a command timeline.
