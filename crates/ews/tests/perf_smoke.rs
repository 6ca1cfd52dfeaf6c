//! Throughput smoke check (ignored by default; the real benchmark is benches/parse.rs):
//! `cargo test --release --test perf_smoke -- --ignored --nocapture`

use std::time::Instant;

use ews::operations::find_item::FindItemResponse;

fn doc(n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="0" MajorBuildNumber="731" MinorBuildNumber="10" Version="V2_3" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body><m:FindItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder TotalItemsInView="33" IncludesLastItemInRange="true"><t:Items>"#,
    );
    for i in 0..n {
        s.push_str(&format!("<t:CalendarItem><t:ItemId Id=\"AAMkAGI2TG93AAA{i}\" ChangeKey=\"DwAAABYAAAA{i}\"/><t:Subject>Team meeting {i} &amp; review</t:Subject><t:Start>2013-08-21T19:30:00Z</t:Start><t:End>2013-08-21T20:00:00Z</t:End><t:Location>Room {i}</t:Location><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus><t:IsAllDayEvent>false</t:IsAllDayEvent></t:CalendarItem>"));
    }
    s.push_str("</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>");
    s
}

#[test]
#[ignore]
fn parse_throughput() {
    let d = doc(10_000);
    let bytes = d.as_bytes();
    let runs = 10;
    let t = Instant::now();
    for _ in 0..runs {
        let r = FindItemResponse::parse_response(bytes).unwrap();
        assert_eq!(r.responses[0].as_ref().unwrap().items.len(), 10_000);
    }
    let ours = t.elapsed().as_secs_f64() / runs as f64;
    let t = Instant::now();
    for _ in 0..runs {
        let mut r = quick_xml::NsReader::from_reader(bytes);
        let mut n = 0usize;
        loop {
            match r.read_resolved_event().unwrap() {
                (_, quick_xml::events::Event::Eof) => break,
                _ => n += 1,
            }
        }
        assert!(n > 0);
    }
    let bare = t.elapsed().as_secs_f64() / runs as f64;
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "{:.1} MB: ours {:.1} MB/s ({:.0} items/s), bare NsReader scan {:.1} MB/s, ratio {:.2}",
        mb,
        mb / ours,
        10_000.0 / ours,
        mb / bare,
        bare / ours
    );
}
