use super::*;
use chrono::{NaiveTime, Timelike};

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").expect("test literal")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test literal")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test literal")
}

#[test]
fn iana_to_windows_maps_zones_of_both_hemispheres() {
    for (iana, windows) in [
        ("Europe/Paris", "Romance Standard Time"),
        ("America/New_York", "Eastern Standard Time"),
        ("Australia/Sydney", "AUS Eastern Standard Time"),
        ("America/Santiago", "Pacific SA Standard Time"),
        ("Pacific/Auckland", "New Zealand Standard Time"),
        ("Asia/Kolkata", "India Standard Time"),
        ("Asia/Kathmandu", "Nepal Standard Time"),
        ("Europe/Madrid", "Romance Standard Time"),
        ("America/Indiana/Knox", "Central Standard Time"),
    ] {
        assert_eq!(iana_to_windows(iana), Some(windows), "{iana}");
    }
}

#[test]
fn iana_to_windows_resolves_links_and_aliases() {
    for (iana, windows) in [
        ("Asia/Calcutta", "India Standard Time"),
        ("Asia/Katmandu", "Nepal Standard Time"),
        ("US/Eastern", "Eastern Standard Time"),
        ("US/Pacific", "Pacific Standard Time"),
        ("Europe/Kiev", "FLE Standard Time"),
        ("Europe/Kyiv", "FLE Standard Time"),
        ("America/Godthab", "Greenland Standard Time"),
        ("America/Nuuk", "Greenland Standard Time"),
        ("Etc/UTC", "UTC"),
        ("UTC", "UTC"),
        ("Etc/GMT", "UTC"),
        ("Etc/GMT+5", "SA Pacific Standard Time"),
    ] {
        assert_eq!(iana_to_windows(iana), Some(windows), "{iana}");
    }
}

#[test]
fn iana_to_windows_tolerates_case_and_rejects_unknown_names() {
    assert_eq!(
        iana_to_windows("europe/paris"),
        Some("Romance Standard Time")
    );
    assert_eq!(iana_to_windows("Mars/Olympus_Mons"), None);
    assert_eq!(iana_to_windows(""), None);
    assert_eq!(iana_to_windows("Europe/Paris "), None);
    // A real IANA zone that CLDR deliberately maps to no Windows zone.
    assert_eq!(iana_to_windows("Antarctica/Troll"), None);
}

#[test]
fn windows_to_iana_uses_world_default_then_territory() {
    assert_eq!(
        windows_to_iana("Romance Standard Time", None),
        Some("Europe/Paris")
    );
    assert_eq!(
        windows_to_iana("Romance Standard Time", Some("001")),
        Some("Europe/Paris")
    );
    assert_eq!(
        windows_to_iana("Romance Standard Time", Some("ES")),
        Some("Europe/Madrid")
    );
    assert_eq!(
        windows_to_iana("Eastern Standard Time", Some("CA")),
        Some("America/Toronto")
    );
    assert_eq!(
        windows_to_iana("Eastern Standard Time", None),
        Some("America/New_York")
    );
    // CLDR: a territory without its own entry uses the 001 default.
    assert_eq!(
        windows_to_iana("Romance Standard Time", Some("JP")),
        Some("Europe/Paris")
    );
    assert_eq!(windows_to_iana("UTC", None), Some("Etc/UTC"));
    assert_eq!(
        windows_to_iana("romance standard time", Some("es")),
        Some("Europe/Madrid")
    );
    assert_eq!(windows_to_iana("Martian Standard Time", None), None);
}

#[test]
fn windows_to_iana_returns_current_iana_names() {
    // CLDR's own ids are frozen at old spellings; the browser and chrono-tz know the new ones.
    assert_eq!(
        windows_to_iana("India Standard Time", None),
        Some("Asia/Kolkata")
    );
    assert_eq!(
        windows_to_iana("Nepal Standard Time", None),
        Some("Asia/Kathmandu")
    );
    assert_eq!(
        windows_to_iana("FLE Standard Time", None),
        Some("Europe/Kyiv")
    );
}

#[test]
fn tables_are_sorted_for_binary_search_and_name_known_zones() {
    let windows = cldr_windows_zones::WINDOWS_TO_IANA;
    assert!(
        windows
            .windows(2)
            .all(|pair| (pair[0].0, pair[0].1) < (pair[1].0, pair[1].1))
    );
    let iana = cldr_windows_zones::IANA_TO_WINDOWS;
    assert!(iana.windows(2).all(|pair| pair[0].0 < pair[1].0));
    for (windows_id, territory, zone) in windows {
        assert!(
            parse_zone(zone).is_ok(),
            "{windows_id}/{territory} -> {zone}"
        );
        let raw = iana
            .binary_search_by(|(name, _)| name.cmp(zone))
            .map(|i| iana[i].1);
        assert_eq!(raw, Ok(*windows_id), "{zone}");
    }
    assert_eq!(CLDR_VERSION, "48.2.0");
}

#[test]
fn zones_whose_rules_changed_after_cldr_get_a_windows_zone_with_their_offsets() {
    assert_eq!(
        iana_to_windows("America/Scoresbysund"),
        Some("Greenland Standard Time")
    );
    assert_eq!(
        iana_to_windows("Antarctica/Vostok"),
        Some("West Asia Standard Time")
    );
    assert_eq!(
        iana_to_windows("Antarctica/Casey"),
        Some("W. Australia Standard Time")
    );
}

/// UTC offsets (seconds) of `zone`, sampled hourly through 2026.
fn offsets_in_2026(zone: &Tz) -> Vec<i32> {
    let start = utc("2026-01-01T00:00:00Z");
    (0..365 * 24)
        .map(|hour| {
            let instant = (start + Duration::hours(hour)).naive_utc();
            zone.offset_from_utc_datetime(&instant)
                .fix()
                .local_minus_utc()
        })
        .collect()
}

#[test]
fn round_trip_of_every_mapped_zone_keeps_its_2026_offsets() {
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for zone in chrono_tz::TZ_VARIANTS {
        let Some(windows_id) = iana_to_windows(zone.name()) else {
            continue;
        };
        let back = windows_to_iana(windows_id, None).expect("every Windows id has a 001 zone");
        let back_zone = parse_zone(back).expect("CLDR zones are known to chrono-tz");
        if offsets_in_2026(&zone) != offsets_in_2026(&back_zone) {
            mismatches.push(format!("{} -> {windows_id} -> {back}", zone.name()));
        }
        checked += 1;
    }
    assert!(checked > 500, "only {checked} zones mapped");
    assert!(
        mismatches.is_empty(),
        "offsets differ after the round trip: {mismatches:#?}"
    );
}

#[test]
fn half_and_quarter_hour_offsets() {
    assert_eq!(
        local_to_utc(local("2026-06-15T12:00:00"), "Asia/Kolkata"),
        Ok(utc("2026-06-15T06:30:00Z"))
    );
    assert_eq!(
        local_to_utc(local("2026-06-15T12:00:00"), "Asia/Calcutta"),
        Ok(utc("2026-06-15T06:30:00Z"))
    );
    assert_eq!(
        local_to_utc(local("2026-06-15T12:00:00"), "Asia/Kathmandu"),
        Ok(utc("2026-06-15T06:15:00Z"))
    );
    assert_eq!(
        utc_to_local(utc("2026-12-31T20:00:00Z"), "Asia/Kathmandu"),
        Ok(local("2027-01-01T01:45:00"))
    );
}

#[test]
fn summer_and_winter_offsets_in_both_hemispheres() {
    // (zone, January noon in UTC, July noon in UTC) for local noon.
    for (zone, january, july) in [
        (
            "Europe/Paris",
            "2026-01-15T11:00:00Z",
            "2026-07-15T10:00:00Z",
        ),
        (
            "America/New_York",
            "2026-01-15T17:00:00Z",
            "2026-07-15T16:00:00Z",
        ),
        (
            "Australia/Sydney",
            "2026-01-15T01:00:00Z",
            "2026-07-15T02:00:00Z",
        ),
        (
            "America/Santiago",
            "2026-01-15T15:00:00Z",
            "2026-07-15T16:00:00Z",
        ),
        (
            "Pacific/Auckland",
            "2026-01-14T23:00:00Z",
            "2026-07-15T00:00:00Z",
        ),
    ] {
        assert_eq!(
            local_to_utc(local("2026-01-15T12:00:00"), zone),
            Ok(utc(january)),
            "{zone}"
        );
        assert_eq!(
            local_to_utc(local("2026-07-15T12:00:00"), zone),
            Ok(utc(july)),
            "{zone}"
        );
    }
}

#[test]
fn exact_dst_transition_instants_in_2026() {
    // (zone, transition instant, local time one second before, local time at the instant)
    for (zone, instant, before, after) in [
        (
            "Europe/Paris",
            "2026-03-29T01:00:00Z",
            "2026-03-29T01:59:59",
            "2026-03-29T03:00:00",
        ),
        (
            "Europe/Paris",
            "2026-10-25T01:00:00Z",
            "2026-10-25T02:59:59",
            "2026-10-25T02:00:00",
        ),
        (
            "America/New_York",
            "2026-03-08T07:00:00Z",
            "2026-03-08T01:59:59",
            "2026-03-08T03:00:00",
        ),
        (
            "America/New_York",
            "2026-11-01T06:00:00Z",
            "2026-11-01T01:59:59",
            "2026-11-01T01:00:00",
        ),
        (
            "Australia/Sydney",
            "2026-04-04T16:00:00Z",
            "2026-04-05T02:59:59",
            "2026-04-05T02:00:00",
        ),
        (
            "Australia/Sydney",
            "2026-10-03T16:00:00Z",
            "2026-10-04T01:59:59",
            "2026-10-04T03:00:00",
        ),
    ] {
        let instant = utc(instant);
        assert_eq!(
            utc_to_local(instant - Duration::seconds(1), zone),
            Ok(local(before)),
            "{zone} before {instant}"
        );
        assert_eq!(
            utc_to_local(instant, zone),
            Ok(local(after)),
            "{zone} at {instant}"
        );
    }
}

#[test]
fn spring_forward_gap_is_an_error_naming_the_next_valid_time() {
    for (zone, missing, next_valid) in [
        ("Europe/Paris", "2026-03-29T02:30:00", "2026-03-29T03:00:00"),
        (
            "America/New_York",
            "2026-03-08T02:00:00",
            "2026-03-08T03:00:00",
        ),
        (
            "Australia/Sydney",
            "2026-10-04T02:59:59",
            "2026-10-04T03:00:00",
        ),
        (
            "America/Santiago",
            "2026-09-06T00:30:00",
            "2026-09-06T01:00:00",
        ),
        (
            "Pacific/Auckland",
            "2026-09-27T02:15:00",
            "2026-09-27T03:00:00",
        ),
    ] {
        let error = local_to_utc(local(missing), zone).expect_err(missing);
        assert_eq!(
            error,
            TimeZoneError::NonexistentLocalTime {
                local: local(missing),
                zone: zone.to_owned(),
                next_valid: local(next_valid),
            }
        );
        let message = error.to_string();
        assert!(
            message.contains("does not exist in") && message.contains(zone),
            "{message}"
        );
    }
    // The last second before the gap and the first after it are both fine.
    assert_eq!(
        local_to_utc(local("2026-03-29T01:59:59"), "Europe/Paris"),
        Ok(utc("2026-03-29T00:59:59Z"))
    );
    assert_eq!(
        local_to_utc(local("2026-03-29T03:00:00"), "Europe/Paris"),
        Ok(utc("2026-03-29T01:00:00Z"))
    );
}

#[test]
fn shifting_gaps_moves_a_skipped_time_forward_by_the_gap() {
    for (zone, missing, shifted_utc, shifted_local) in [
        (
            "Europe/Paris",
            "2026-03-29T02:30:00",
            "2026-03-29T01:30:00Z",
            "2026-03-29T03:30:00",
        ),
        (
            "America/New_York",
            "2026-03-08T02:00:00",
            "2026-03-08T07:00:00Z",
            "2026-03-08T03:00:00",
        ),
        (
            "America/Santiago",
            "2026-09-06T00:30:00",
            "2026-09-06T04:30:00Z",
            "2026-09-06T01:30:00",
        ),
        // Lord Howe Island moves its clocks by 30 minutes.
        (
            "Australia/Lord_Howe",
            "2026-10-04T02:15:00",
            "2026-10-03T15:45:00Z",
            "2026-10-04T02:45:00",
        ),
    ] {
        let instant = local_to_utc_shifting_gaps(local(missing), zone);
        assert_eq!(instant, Ok(utc(shifted_utc)), "{zone} {missing}");
        assert_eq!(
            utc_to_local(utc(shifted_utc), zone),
            Ok(local(shifted_local)),
            "{zone}"
        );
    }
    // Times that exist, including repeated ones, resolve exactly as with local_to_utc.
    for (zone, wall) in [
        ("Europe/Paris", "2026-10-25T02:30:00"),
        ("Europe/Paris", "2026-06-01T09:00:00"),
        ("Australia/Sydney", "2026-04-05T02:30:00"),
    ] {
        assert_eq!(
            local_to_utc_shifting_gaps(local(wall), zone),
            local_to_utc(local(wall), zone)
        );
    }
    assert!(matches!(
        local_to_utc_shifting_gaps(local("2026-03-29T02:30:00"), "Nowhere/Zone"),
        Err(TimeZoneError::UnknownZone(_))
    ));
}

#[test]
fn fall_back_overlap_takes_the_first_occurrence() {
    for (zone, repeated, first_instant) in [
        (
            "Europe/Paris",
            "2026-10-25T02:30:00",
            "2026-10-25T00:30:00Z",
        ),
        (
            "America/New_York",
            "2026-11-01T01:30:00",
            "2026-11-01T05:30:00Z",
        ),
        (
            "Australia/Sydney",
            "2026-04-05T02:30:00",
            "2026-04-04T15:30:00Z",
        ),
        (
            "America/Santiago",
            "2026-04-04T23:30:00",
            "2026-04-05T02:30:00Z",
        ),
        (
            "Pacific/Auckland",
            "2026-04-05T02:00:00",
            "2026-04-04T13:00:00Z",
        ),
    ] {
        let instant = local_to_utc(local(repeated), zone);
        assert_eq!(instant, Ok(utc(first_instant)), "{zone} {repeated}");
        // The other occurrence is one hour later and maps back to the same wall time.
        let second = utc(first_instant) + Duration::hours(1);
        assert_eq!(utc_to_local(second, zone), Ok(local(repeated)), "{zone}");
    }
}

#[test]
fn local_utc_round_trip_outside_transitions() {
    for zone in [
        "Europe/Paris",
        "America/Santiago",
        "Asia/Kathmandu",
        "Pacific/Auckland",
    ] {
        let mut wall = local("2026-01-01T00:00:00");
        while wall < local("2027-01-01T00:00:00") {
            if let Ok(instant) = local_to_utc(wall, zone) {
                assert_eq!(utc_to_local(instant, zone), Ok(wall), "{zone} {wall}");
            }
            wall += Duration::minutes(97);
        }
    }
}

#[test]
fn all_day_events_span_23_or_25_hours_on_dst_change_days() {
    for (zone, day, hours) in [
        ("Europe/Paris", "2026-03-29", 23),
        ("Europe/Paris", "2026-10-25", 25),
        ("Europe/Paris", "2026-06-01", 24),
        ("America/New_York", "2026-03-08", 23),
        ("America/New_York", "2026-11-01", 25),
        ("Australia/Sydney", "2026-10-04", 23),
        ("Australia/Sydney", "2026-04-05", 25),
        ("America/Santiago", "2026-09-06", 23),
        ("America/Santiago", "2026-04-04", 25),
        ("Pacific/Auckland", "2026-09-27", 23),
        ("Asia/Kolkata", "2026-03-29", 24),
    ] {
        let (start, end) = local_day_bounds(date(day), zone).expect(day);
        assert_eq!((end - start).num_hours(), hours, "{zone} {day}");
        assert_eq!(
            end - start,
            Duration::hours(hours),
            "{zone} {day}: whole hours"
        );
    }
    // Paris: the day starts at local midnight even when the clocks change that night.
    assert_eq!(
        local_day_bounds(date("2026-03-29"), "Europe/Paris"),
        Ok((utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z")))
    );
}

#[test]
fn a_day_whose_midnight_is_skipped_starts_at_the_end_of_the_gap() {
    // Chile moves 00:00 -> 01:00 on 6 September 2026.
    let start = start_of_local_day(date("2026-09-06"), "America/Santiago").expect("valid day");
    assert_eq!(start, utc("2026-09-06T04:00:00Z"));
    assert_eq!(
        utc_to_local(start, "America/Santiago").map(|wall| wall.time()),
        Ok(NaiveTime::from_hms_opt(1, 0, 0).expect("literal"))
    );
    assert!(matches!(
        local_to_utc(local("2026-09-06T00:00:00"), "America/Santiago"),
        Err(TimeZoneError::NonexistentLocalTime { .. })
    ));
}

#[test]
fn unknown_zones_are_clear_errors() {
    let error = local_to_utc(local("2026-06-01T09:00:00"), "Europe/Pariss").expect_err("typo");
    assert_eq!(error, TimeZoneError::UnknownZone("Europe/Pariss".into()));
    assert!(error.to_string().contains("Europe/Pariss"));
    assert!(utc_to_local(utc("2026-06-01T09:00:00Z"), "").is_err());
    assert!(local_day_bounds(date("2026-06-01"), "Romance Standard Time").is_err());
}

#[test]
fn extreme_dates_are_errors_not_panics() {
    for zone in ["Pacific/Kiritimati", "Etc/GMT+12", "Europe/Paris"] {
        for wall in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            // Either representable or an error; never a panic.
            if let Ok(instant) = local_to_utc(wall, zone) {
                assert!(instant.second() < 60);
            }
        }
        assert!(utc_to_local(DateTime::<Utc>::MAX_UTC, "Pacific/Kiritimati").is_err());
        assert!(utc_to_local(DateTime::<Utc>::MIN_UTC, "Etc/GMT+12").is_err());
        assert!(local_day_bounds(NaiveDate::MAX, zone).is_err());
    }
}
