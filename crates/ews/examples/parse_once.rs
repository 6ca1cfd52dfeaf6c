//! Measurement harness for the response parser: parses one file once, so that
//! `valgrind --tool=callgrind` instruction counts of our parser and of a bare quick-xml scan of
//! the same bytes can be compared (repeatable on a busy machine, unlike wall time).
//!
//! ```text
//! cargo build --release -p exchange-forms-ews --example parse_once
//! BIN=target/release/examples/parse_once
//! $BIN gen DIR                      # writes DIR/finditem_10000.xml, DIR/getitem_1000.xml
//! valgrind --tool=callgrind $BIN ours DIR/finditem_10000.xml
//! valgrind --tool=callgrind $BIN bare DIR/finditem_10000.xml     # the benchmark's ceiling
//! valgrind --tool=callgrind $BIN nsbare DIR/finditem_10000.xml   # same, with NsReader
//! $BIN time DIR/finditem_10000.xml 20  # wall time: fastest of 20 runs of each, and ratio
//! ```
//!
//! The documents come from the benchmark's generator (benches/support/generate.rs), so these
//! figures describe the same bytes as `cargo bench -p exchange-forms-ews --bench parse`.
//! Reading the file costs a few thousand instructions; generation is a separate run.

#[path = "../benches/support/generate.rs"]
#[allow(dead_code)] // `Expected` is for the benchmark's checks
mod generate;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use ews::operations::find_item::FindItemResponse;
use ews::operations::get_item::GetItemResponse;
use quick_xml::events::Event;
use quick_xml::{NsReader, Reader};

/// Our typed parser; returns the number of calendar items / tasks read.
fn ours(xml: &[u8], get_item: bool) -> Result<usize, String> {
    if get_item {
        let response = GetItemResponse::parse_response(xml).map_err(|error| error.to_string())?;
        let mut tasks = 0;
        for result in &response.responses {
            let items = result.as_ref().map_err(|error| error.to_string())?;
            tasks += items.iter().filter(|item| item.as_task().is_some()).count();
        }
        black_box(&response);
        Ok(tasks)
    } else {
        let response = FindItemResponse::parse_response(xml)
            .and_then(FindItemResponse::into_single)
            .map_err(|error| error.to_string())?;
        let items = response
            .items
            .iter()
            .filter(|item| item.as_calendar_item().is_some())
            .count();
        black_box(&response);
        Ok(items)
    }
}

/// The benchmark's ceiling (same code as benches/parse.rs `bare_scan`): every event read,
/// every attribute value and text touched (text decoded with `xml10_content`).
fn bare(xml: &[u8]) -> Result<usize, String> {
    let mut reader = Reader::from_reader(xml);
    let mut items = 0;
    let mut touched = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) | Ok(Event::Empty(start)) => {
                if matches!(start.local_name().into_inner(), "CalendarItem" | "Task") {
                    items += 1;
                }
                for attribute in start.attributes() {
                    touched += attribute.map_err(|error| error.to_string())?.value.len();
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

/// As `bare`, with namespace resolution (`NsReader::read_resolved_event`).
fn ns_bare(xml: &[u8]) -> Result<usize, String> {
    let mut reader = NsReader::from_reader(xml);
    let mut items = 0;
    let mut touched = 0usize;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Start(start))) | Ok((_, Event::Empty(start))) => {
                if matches!(start.local_name().into_inner(), "CalendarItem" | "Task") {
                    items += 1;
                }
                for attribute in start.attributes() {
                    touched += attribute.map_err(|error| error.to_string())?.value.len();
                }
            }
            Ok((_, Event::Text(text))) => touched += text.xml10_content().len(),
            Ok((_, Event::CData(data))) => touched += data.len(),
            Ok((_, Event::GeneralRef(reference))) => touched += reference.len(),
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    black_box(touched);
    Ok(items)
}

fn run(args: &[String]) -> Result<(), String> {
    match args {
        [mode, dir] if mode == "gen" => {
            std::fs::create_dir_all(dir).map_err(|error| format!("{dir}: {error}"))?;
            for (name, (xml, _)) in [
                ("finditem_10000.xml", generate::find_item_calendar_view(10_000, 2)),
                ("getitem_1000.xml", generate::get_item_tasks(1_000, 3)),
            ] {
                let path = format!("{dir}/{name}");
                std::fs::write(&path, xml).map_err(|error| format!("{path}: {error}"))?;
                println!("{path}");
            }
            Ok(())
        }
        [mode, file, runs] if mode == "time" => {
            let xml = std::fs::read(file).map_err(|error| format!("{file}: {error}"))?;
            let get_item = file.contains("getitem");
            let runs: usize = runs.parse().map_err(|_| format!("not a number of runs: {runs}"))?;
            // Alternate the parsers so that both see the same machine load; keep the fastest.
            let (mut best_ours, mut best_bare) = (f64::MAX, f64::MAX);
            for _ in 0..runs {
                let started = Instant::now();
                black_box(ours(black_box(&xml), get_item)?);
                best_ours = best_ours.min(started.elapsed().as_secs_f64());
                let started = Instant::now();
                black_box(bare(black_box(&xml))?);
                best_bare = best_bare.min(started.elapsed().as_secs_f64());
            }
            let mb = xml.len() as f64 / 1e6;
            println!(
                "ours {:.1} MB/s, bare {:.1} MB/s, ours/bare speed {:.2}",
                mb / best_ours,
                mb / best_bare,
                best_bare / best_ours
            );
            Ok(())
        }
        [mode, file] => {
            let xml = std::fs::read(file).map_err(|error| format!("{file}: {error}"))?;
            let get_item = file.contains("getitem");
            let items = match mode.as_str() {
                "ours" => ours(&xml, get_item)?,
                "bare" => bare(&xml)?,
                "nsbare" => ns_bare(&xml)?,
                other => return Err(format!("unknown mode {other}")),
            };
            println!("{mode}: {items} items in {} bytes", xml.len());
            Ok(())
        }
        _ => Err("usage: parse_once gen DIR | parse_once (ours|bare|nsbare) FILE | parse_once time FILE RUNS".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
