//! What a tool run produces: its two streams and its exit status.

/// The result of running one command-line tool, exactly as a terminal would show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolExit {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl ToolExit {
    /// Success with the given standard output.
    pub fn ok(stdout: impl Into<String>) -> Self {
        ToolExit {
            stdout: stdout.into(),
            stderr: String::new(),
            code: 0,
        }
    }

    /// Only standard error, with an exit code.
    pub fn err(stderr: impl Into<String>, code: i32) -> Self {
        ToolExit {
            stdout: String::new(),
            stderr: stderr.into(),
            code,
        }
    }

    /// Appends another result's streams; the later exit code wins.
    pub fn then(mut self, next: ToolExit) -> Self {
        self.stdout.push_str(&next.stdout);
        self.stderr.push_str(&next.stderr);
        self.code = next.code;
        self
    }
}
