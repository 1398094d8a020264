//! A stage set written out: the comment that says how to edit it, the header, the selector, then
//! each stage's line.

use crate::stages::model::{StageSet, STAGES_HEADER};

const COMMENT: &str = "# A sealed stage set: edit it with `cargo sealed stage` (init, new, set, rm, delete, rotate, add-key, rm-key), never by hand; review changes as code: it pins each stage's key and bundle.";

impl StageSet {
    /// The file's text.
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut out = String::new();
        // writing to a `String` cannot fail
        let _ = writeln!(
            out,
            "{COMMENT}\n{STAGES_HEADER}\nselector {}",
            self.selector
        );
        for stage in &self.stages {
            let _ = write!(
                out,
                "stage {} {} key={} id={} public-key={}",
                stage.name,
                stage.bundle,
                stage.key,
                hex::encode(stage.id),
                stage.public_key
            );
            if let Some(account) = &stage.account {
                let _ = write!(out, " account={account}");
            }
            if !stage.regions.is_empty() {
                let _ = write!(out, " regions={}", stage.regions.join(","));
            }
            for recipient in &stage.recipients {
                let _ = write!(
                    out,
                    " {}={}#{}",
                    recipient.role.as_str(),
                    recipient.key,
                    recipient.public_key
                );
            }
            out.push('\n');
        }
        out
    }
}
