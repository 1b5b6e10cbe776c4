//! Consumer groups: coordinator selection, the group protocols and the assignors.

pub mod assignors;
pub mod classic;
pub mod consumer_group;
pub mod coordinator;
