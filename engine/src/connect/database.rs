//! A simulated relational database: tables with a primary key, and a commit log (the
//! write-ahead log a CDC connector reads) in which every committed row change gets the next
//! log sequence number (LSN). Rows are text columns; the database lives outside the cluster.

use serde::Serialize;
use std::collections::BTreeMap;

/// One row: column name → value (all text, as a console user types them).
pub type Row = BTreeMap<String, String>;

/// The kind of a row change, with Debezium's one-letter codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Op {
    /// `c`: a row was inserted.
    Create,
    /// `u`: a row was updated.
    Update,
    /// `d`: a row was deleted.
    Delete,
    /// `r`: a row read by the connector's initial snapshot (not a change in the log).
    Read,
}

impl Op {
    pub fn code(self) -> &'static str {
        match self {
            Op::Create => "c",
            Op::Update => "u",
            Op::Delete => "d",
            Op::Read => "r",
        }
    }
}

/// A committed row change, as the commit log holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub lsn: i64,
    pub table: String,
    pub op: Op,
    /// The primary key's value.
    pub key: String,
    pub before: Option<Row>,
    pub after: Option<Row>,
    /// Commit time (simulated epoch ms).
    pub ts_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    /// The primary-key column.
    pub key: String,
    /// Rows by primary-key value.
    pub rows: BTreeMap<String, Row>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Database {
    pub tables: BTreeMap<String, Table>,
    /// Every committed change, in commit order.
    pub log: Vec<Change>,
}

/// The most tables the playground's database holds.
pub const MAX_TABLES: usize = 32;
/// The most rows a table holds.
pub const MAX_ROWS: usize = 100_000;

/// Table and column names: letters, digits, `_`, `-` and `.`, at most 64 characters.
pub fn validate_name(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{name}' is not a valid {what} name: use 1 to 64 letters, digits, '_', '-' or '.'."
        ))
    }
}

impl Database {
    /// The LSN of the last commit (0 before any).
    pub fn last_lsn(&self) -> i64 {
        self.log.last().map_or(0, |c| c.lsn)
    }

    pub fn table(&self, name: &str) -> Result<&Table, String> {
        self.tables.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.tables.keys().map(String::as_str).collect();
            if names.is_empty() {
                format!("No table '{name}': the database has no tables yet (create one with `table create {name} --key id`).")
            } else {
                format!(
                    "No table '{name}': the tables are {}.",
                    names.join(", ")
                )
            }
        })
    }

    pub fn create_table(&mut self, name: &str, key: &str) -> Result<(), String> {
        validate_name("table", name)?;
        validate_name("column", key)?;
        if self.tables.contains_key(name) {
            return Err(format!("Table '{name}' already exists."));
        }
        if self.tables.len() >= MAX_TABLES {
            return Err(format!(
                "The playground's database holds at most {MAX_TABLES} tables."
            ));
        }
        self.tables.insert(
            name.to_string(),
            Table {
                name: name.to_string(),
                key: key.to_string(),
                rows: BTreeMap::new(),
            },
        );
        Ok(())
    }

    fn key_of(table: &Table, row: &Row) -> Result<String, String> {
        for c in row.keys() {
            validate_name("column", c)?;
        }
        row.get(&table.key).cloned().ok_or_else(|| {
            format!(
                "The row needs its primary key column '{}' (e.g. {}=1).",
                table.key, table.key
            )
        })
    }

    fn commit(&mut self, change: Change) -> Change {
        self.log.push(change.clone());
        change
    }

    /// INSERT: the primary key must be new.
    pub fn insert(&mut self, table: &str, row: Row, ts_ms: i64) -> Result<Change, String> {
        let lsn = self.last_lsn() + 1;
        let t = self.table(table)?;
        let key = Self::key_of(t, &row)?;
        if t.rows.contains_key(&key) {
            return Err(format!(
                "duplicate key value violates unique constraint: {}={key} already exists in '{table}' (use `table update`).",
                t.key
            ));
        }
        if t.rows.len() >= MAX_ROWS {
            return Err(format!("A table holds at most {MAX_ROWS} rows."));
        }
        if let Some(t) = self.tables.get_mut(table) {
            t.rows.insert(key.clone(), row.clone());
        }
        Ok(self.commit(Change {
            lsn,
            table: table.to_string(),
            op: Op::Create,
            key,
            before: None,
            after: Some(row),
            ts_ms,
        }))
    }

    /// UPDATE: sets the given columns of an existing row (the key column selects it).
    pub fn update(&mut self, table: &str, set: Row, ts_ms: i64) -> Result<Change, String> {
        let lsn = self.last_lsn() + 1;
        let t = self.table(table)?;
        let key = Self::key_of(t, &set)?;
        let Some(before) = t.rows.get(&key).cloned() else {
            return Err(format!(
                "No row with {}={key} in '{table}' (use `table insert`).",
                t.key
            ));
        };
        let mut after = before.clone();
        after.extend(set);
        if let Some(t) = self.tables.get_mut(table) {
            t.rows.insert(key.clone(), after.clone());
        }
        Ok(self.commit(Change {
            lsn,
            table: table.to_string(),
            op: Op::Update,
            key,
            before: Some(before),
            after: Some(after),
            ts_ms,
        }))
    }

    /// DELETE by primary key.
    pub fn delete(&mut self, table: &str, key: &str, ts_ms: i64) -> Result<Change, String> {
        let lsn = self.last_lsn() + 1;
        let t = self.table(table)?;
        let Some(before) = t.rows.get(key).cloned() else {
            return Err(format!("No row with {}={key} in '{table}'.", t.key));
        };
        if let Some(t) = self.tables.get_mut(table) {
            t.rows.remove(key);
        }
        Ok(self.commit(Change {
            lsn,
            table: table.to_string(),
            op: Op::Delete,
            key: key.to_string(),
            before: Some(before),
            after: None,
            ts_ms,
        }))
    }

    /// What a sink writes: insert or replace the row with this key. No change is committed
    /// when the row already holds exactly these values (an idempotent re-delivery).
    pub fn upsert(&mut self, table: &str, row: Row, ts_ms: i64) -> Result<Option<Change>, String> {
        let t = self.table(table)?;
        let key = Self::key_of(t, &row)?;
        match t.rows.get(&key) {
            Some(old) if *old == row => Ok(None),
            Some(_) => {
                // A full-row replace: columns the record lacks are dropped, as an upsert does.
                let lsn = self.last_lsn() + 1;
                let before = self
                    .tables
                    .get_mut(table)
                    .and_then(|t| t.rows.insert(key.clone(), row.clone()));
                Ok(Some(self.commit(Change {
                    lsn,
                    table: table.to_string(),
                    op: Op::Update,
                    key,
                    before,
                    after: Some(row),
                    ts_ms,
                })))
            }
            None => self.insert(table, row, ts_ms).map(Some),
        }
    }

    /// Changes of `table` committed after `lsn`, in commit order, at most `max`.
    pub fn changes_after(&self, table: &str, lsn: i64, max: usize) -> Vec<Change> {
        // LSNs are 1, 2, 3... in log order: start right after `lsn`.
        let start = usize::try_from(lsn.max(0)).unwrap_or(usize::MAX);
        self.log
            .iter()
            .skip(start)
            .filter(|c| c.table == table)
            .take(max)
            .cloned()
            .collect()
    }
}

/// Parses `col=value` words into a row (values may be empty; a column may appear once).
pub fn parse_row(words: &[String]) -> Result<Row, String> {
    let mut row = Row::new();
    for w in words {
        let Some((c, v)) = w.split_once('=') else {
            return Err(format!("'{w}' is not a column=value pair (e.g. name=Ann)."));
        };
        validate_name("column", c)?;
        if row.insert(c.to_string(), v.to_string()).is_some() {
            return Err(format!("Column '{c}' is given twice."));
        }
    }
    if row.is_empty() {
        return Err("Give at least one column=value pair (e.g. id=1 name=Ann).".into());
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Row {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn changes_get_increasing_lsns_in_commit_order() {
        let mut db = Database::default();
        db.create_table("users", "id").unwrap();
        db.create_table("orders", "id").unwrap();
        let a = db
            .insert("users", row(&[("id", "1"), ("name", "Ann")]), 0)
            .unwrap();
        db.insert("orders", row(&[("id", "9")]), 0).unwrap();
        let u = db
            .update("users", row(&[("id", "1"), ("name", "Bo")]), 0)
            .unwrap();
        let d = db.delete("users", "1", 0).unwrap();
        assert_eq!((a.lsn, u.lsn, d.lsn), (1, 3, 4));
        assert_eq!(u.before.unwrap()["name"], "Ann");
        assert_eq!(u.after.unwrap()["name"], "Bo");
        assert_eq!(d.after, None);
        let ops: Vec<&str> = db
            .changes_after("users", 0, 10)
            .iter()
            .map(|c| c.op.code())
            .collect();
        assert_eq!(ops, ["c", "u", "d"]);
        assert_eq!(db.changes_after("users", 3, 10).len(), 1);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let mut db = Database::default();
        assert!(db.insert("nope", row(&[("id", "1")]), 0).is_err());
        db.create_table("users", "id").unwrap();
        assert!(db.create_table("users", "id").is_err());
        assert!(db.create_table("bad name", "id").is_err());
        assert!(db
            .insert("users", row(&[("name", "x")]), 0)
            .unwrap_err()
            .contains("'id'"));
        db.insert("users", row(&[("id", "1")]), 0).unwrap();
        assert!(db
            .insert("users", row(&[("id", "1")]), 0)
            .unwrap_err()
            .contains("duplicate"));
        assert!(db.update("users", row(&[("id", "2")]), 0).is_err());
        assert!(db.delete("users", "2", 0).is_err());
        assert!(parse_row(&["oops".into()]).is_err());
        assert!(parse_row(&["a=1".into(), "a=2".into()]).is_err());
    }

    #[test]
    fn upsert_is_idempotent() {
        let mut db = Database::default();
        db.create_table("t", "id").unwrap();
        let r = row(&[("id", "1"), ("v", "a")]);
        assert!(db.upsert("t", r.clone(), 0).unwrap().is_some());
        assert!(db.upsert("t", r, 0).unwrap().is_none());
        let c = db
            .upsert("t", row(&[("id", "1"), ("v", "b")]), 0)
            .unwrap()
            .unwrap();
        assert_eq!(c.op, Op::Update);
        assert_eq!(db.log.len(), 2);
    }
}
