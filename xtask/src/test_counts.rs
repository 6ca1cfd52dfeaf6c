//! Reads test-runner summaries out of the output of the suites xtask runs, so that the closing
//! report can say how many tests really ran (a suite that silently ran nothing is a failure).

/// Totals over every summary line seen so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
    /// How many summary lines were read (libtest prints one per test binary).
    pub summaries: u64,
}

impl TestCounts {
    /// Folds one output line into the totals. Understands:
    /// - libtest and wasm-bindgen-test-runner: `test result: ok. 12 passed; 0 failed; 1 ignored; …`
    /// - `node --test` (spec reporter `ℹ pass 12`, TAP reporter `# pass 12`, same for `fail`,
    ///   `skipped` and `todo`).
    pub fn scan_line(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result:") {
            self.summaries += 1;
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(number)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(n) = number.parse::<u64>() else {
                    continue;
                };
                match label {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
            return;
        }
        let Some(rest) = line.strip_prefix("ℹ ").or_else(|| line.strip_prefix("# ")) else {
            return;
        };
        let mut words = rest.split_whitespace();
        let (Some(label), Some(number), None) = (words.next(), words.next(), words.next()) else {
            return;
        };
        let Ok(n) = number.parse::<u64>() else {
            return;
        };
        match label {
            "pass" => {
                self.passed += n;
                self.summaries += 1;
            }
            // A timed-out test is reported as cancelled: it did not pass.
            "fail" | "cancelled" => self.failed += n,
            "skipped" | "todo" => self.ignored += n,
            _ => {}
        }
    }

    pub fn add(&mut self, other: TestCounts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
        self.summaries += other.summaries;
    }
}

impl std::fmt::Display for TestCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} tests passed, {} failed", self.passed, self.failed)?;
        if self.ignored > 0 {
            write!(f, ", {} ignored", self.ignored)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> TestCounts {
        let mut counts = TestCounts::default();
        text.lines().for_each(|l| counts.scan_line(l));
        counts
    }

    #[test]
    fn sums_libtest_summaries_including_doc_test_zeroes() {
        let counts = scan(
            "running 3 tests\n\
             test a ... ok\n\
             test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
             \n\
             test result: FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s\n\
             Doc-tests model\n\
             test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n",
        );
        assert_eq!(
            counts,
            TestCounts {
                passed: 10,
                failed: 2,
                ignored: 1,
                summaries: 3
            }
        );
    }

    #[test]
    fn reads_node_spec_and_tap_reporters() {
        let spec = scan(
            "✔ creates an appointment (812ms)\nℹ tests 5\nℹ suites 0\nℹ pass 4\nℹ fail 1\nℹ skipped 0\nℹ duration_ms 900\n",
        );
        assert_eq!((spec.passed, spec.failed, spec.summaries), (4, 1, 1));
        let tap = scan("ok 1 - x\n# tests 2\n# pass 2\n# fail 0\n# todo 1\n");
        assert_eq!((tap.passed, tap.failed, tap.ignored), (2, 0, 1));
    }

    #[test]
    fn ignores_lines_that_only_look_like_summaries() {
        let counts =
            scan("# pass the salt please\nℹ pass\nthe test result: was fine\n# passed 3\n");
        assert_eq!(counts, TestCounts::default());
    }
}
