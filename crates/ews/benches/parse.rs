//! Response parser throughput: our typed parser against a bare quick-xml event scan of the
//! same bytes (the ceiling). Run through `scripts/bench-parse.sh`, which adds exchangelib
//! (Python) on the very same files and prints one side-by-side table; alone:
//!
//! ```text
//! cargo bench -p exchange-forms-ews --bench parse
//! ```
//!
//! The generated documents are written to `$EWS_BENCH_DATA_DIR` (default:
//! `<cargo target dir>/ews-bench-data/`). Before timing anything, every parser's output is
//! checked against what the generator put in, so a parser that skips work cannot look fast.

#[path = "support/generate.rs"]
mod generate;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;

use criterion::{Criterion, Throughput};
use ews::operations::find_item::FindItemResponse;
use ews::operations::get_item::GetItemResponse;
use ews::types::Item;
use quick_xml::Reader;
use quick_xml::events::Event;

use generate::Expected;

/// Which typed parser reads a document.
#[derive(Clone, Copy)]
enum Kind {
    FindItem,
    GetItem,
}

struct Document {
    /// Benchmark group name and file stem.
    name: &'static str,
    kind: Kind,
    xml: Vec<u8>,
    expected: Expected,
}

fn documents() -> Vec<Document> {
    let make = |name, kind, (xml, expected): (String, Expected)| Document {
        name,
        kind,
        xml: xml.into_bytes(),
        expected,
    };
    vec![
        make(
            "finditem_calendarview_1000",
            Kind::FindItem,
            generate::find_item_calendar_view(1_000, 1),
        ),
        make(
            "finditem_calendarview_10000",
            Kind::FindItem,
            generate::find_item_calendar_view(10_000, 2),
        ),
        make(
            "getitem_tasks_1000",
            Kind::GetItem,
            generate::get_item_tasks(1_000, 3),
        ),
    ]
}

/// Items of the expected kind (calendar items for FindItem, tasks for GetItem) parsed by
/// our parser, and the subject of the last item.
fn parse_ours(kind: Kind, xml: &[u8]) -> Result<(usize, Option<String>), String> {
    // Only looks at what the parser produced; no copying, so the timing is the parser's.
    fn summarize<'a>(items: impl Iterator<Item = &'a Item>, kind: Kind) -> (usize, Option<String>) {
        let mut of_kind = 0;
        let mut last = None;
        for item in items {
            of_kind += usize::from(match kind {
                Kind::FindItem => item.as_calendar_item().is_some(),
                Kind::GetItem => item.as_task().is_some(),
            });
            last = Some(item);
        }
        (of_kind, last.and_then(Item::subject).map(str::to_owned))
    }
    match kind {
        Kind::FindItem => {
            let result = FindItemResponse::parse_response(xml)
                .and_then(FindItemResponse::into_single)
                .map_err(|error| error.to_string())?;
            Ok(summarize(result.items.iter(), kind))
        }
        Kind::GetItem => {
            let response =
                GetItemResponse::parse_response(xml).map_err(|error| error.to_string())?;
            let mut items = Vec::with_capacity(response.responses.len());
            for result in &response.responses {
                items.extend(result.as_ref().map_err(|error| error.to_string())?);
            }
            Ok(summarize(items.into_iter(), kind))
        }
    }
}

/// The ceiling: read every event of the document with quick-xml (no namespace resolution,
/// no types), touching every name, attribute value and text so none of it is optimised
/// away. Returns the number of `CalendarItem`/`Task` start tags.
fn bare_scan(xml: &[u8]) -> Result<usize, String> {
    let mut reader = Reader::from_reader(xml);
    let mut items = 0;
    let mut touched = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) | Ok(Event::Empty(start)) => {
                let local = start.local_name();
                if matches!(local.into_inner(), "CalendarItem" | "Task") {
                    items += 1;
                }
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|error| error.to_string())?;
                    touched += attribute.value.len();
                }
            }
            Ok(Event::Text(text)) => touched += text.xml10_content().len(),
            Ok(Event::CData(data)) => touched += data.len(),
            Ok(Event::GeneralRef(reference)) => touched += reference.len(),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    black_box(touched);
    Ok(items)
}

fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EWS_BENCH_DATA_DIR") {
        return PathBuf::from(dir);
    }
    // <target>/release/deps/parse-<hash>: keep the data next to the build output.
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .nth(3)
                .map(|target| target.join("ews-bench-data"))
        })
        .unwrap_or_else(|| std::env::temp_dir().join("ews-bench-data"))
}

/// Writes the documents and a manifest for the Python side, after checking that both Rust
/// readers see every generated item.
fn prepare(documents: &[Document]) -> Result<(), String> {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let mut manifest = Vec::new();
    for document in documents {
        let (count, last_subject) = parse_ours(document.kind, &document.xml)
            .map_err(|error| format!("{}: our parser failed: {error}", document.name))?;
        if count != document.expected.items
            || last_subject.as_deref() != Some(&document.expected.last_subject)
        {
            return Err(format!(
                "{}: our parser read {count} items, last subject {last_subject:?}; expected {} and {:?}",
                document.name, document.expected.items, document.expected.last_subject
            ));
        }
        let scanned = bare_scan(&document.xml)?;
        if scanned != document.expected.items {
            return Err(format!("{}: bare scan saw {scanned} items", document.name));
        }
        let path = dir.join(format!("{}.xml", document.name));
        std::fs::write(&path, &document.xml)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        manifest.push(serde_json::json!({
            "name": document.name,
            "file": path,
            "operation": match document.kind { Kind::FindItem => "FindItem", Kind::GetItem => "GetItem" },
            "items": document.expected.items,
            "bytes": document.xml.len(),
            "last_subject": document.expected.last_subject,
        }));
    }
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|error| error.to_string())?;
    std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))?;
    println!("benchmark documents written to {}", dir.display());
    Ok(())
}

fn main() -> ExitCode {
    let documents = documents();
    if let Err(error) = prepare(&documents) {
        eprintln!("benchmark setup failed: {error}");
        return ExitCode::FAILURE;
    }
    let mut criterion = Criterion::default().configure_from_args();
    for document in &documents {
        let mut group = criterion.benchmark_group(document.name);
        group.throughput(Throughput::Bytes(document.xml.len() as u64));
        if document.expected.items >= 10_000 {
            group.sample_size(20);
        }
        group.bench_function("ours", |bencher| {
            bencher.iter(|| parse_ours(document.kind, black_box(&document.xml)))
        });
        group.bench_function("bare_quick_xml", |bencher| {
            bencher.iter(|| bare_scan(black_box(&document.xml)))
        });
        group.finish();
    }
    criterion.final_summary();
    ExitCode::SUCCESS
}
