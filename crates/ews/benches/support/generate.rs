//! Deterministic EWS response documents for the parser benchmark.
//!
//! Shaped like Microsoft's FindItem CalendarView and GetItem (task) samples in
//! `crates/ews/tests/fixtures/`, but with the fuller `AllProperties` item shape a real Exchange
//! server returns, and with varied text: non-ASCII (accents, CJK, Cyrillic, emoji), the five
//! XML entities and character references in subjects, locations, organizers and bodies.
//! The same seed always gives the same bytes, so the Rust and Python benchmarks parse
//! identical input (the files are written by the bench, read by scripts/bench_exchangelib.py).

use std::fmt::Write as _;

/// SplitMix64: tiny, fast and fully deterministic across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// An Exchange-looking base64 id of `len` characters.
    fn base64(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..len).map(|_| ALPHABET[self.below(64)] as char).collect()
    }
}

/// Subjects as they appear in the XML (already escaped). Decoded, they contain `&`, `<`,
/// `>`, quotes, accents, CJK, Cyrillic and an emoji.
const SUBJECTS: &[&str] = &[
    "Contoso devs team meeting",
    "Weekly sync &amp; planning",
    "Réunion d'équipe – budget 2027",
    "Besprechung: Änderungen an der Größe",
    "四半期レビュー会議",
    "Встреча с командой поддержки",
    "1:1 &lt;Anna&gt; / Bob",
    "Q3 review &quot;final&quot; 🚀",
    "Lunch with sales team",
    "Déjeuner chez Sébastien &amp; Zoë",
    "Tennis at the club",
    "Revisión del contrato &#8211; José",
];

const SUFFIXES: &[&str] = &[
    "",
    " (rescheduled)",
    " – follow-up",
    " [external]",
    " &amp; drinks",
    " — 続き",
];

const LOCATIONS: &[&str] = &[
    "Conference Room 4B",
    "Salle Vénus, 3ᵉ étage",
    "Raum München",
    "会議室 A",
    "Microsoft Teams Meeting",
    "Building 92 / Room 1234 &amp; Annex",
    "Café &quot;Le Zinc&quot;",
];

/// (display name, email) of organizers.
const ORGANIZERS: &[(&str, &str)] = &[
    ("Zoë Müller", "zoe.mueller@contoso.com"),
    ("José Álvarez", "jose.alvarez@contoso.com"),
    ("Anna Kowalska", "anna.kowalska@contoso.com"),
    ("李雷", "li.lei@contoso.com"),
    ("Sarah O'Connor", "sarah.oconnor@contoso.com"),
    ("Dan Jump", "dan.jump@contoso.com"),
    ("Ørjan Ødegård", "orjan@fabrikam.com"),
];

const TIME_ZONES: &[&str] = &[
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    "(UTC-05:00) Eastern Time (US &amp; Canada)",
    "(UTC+10:00) Canberra, Melbourne, Sydney",
];

const ENVELOPE_HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8769" MinorBuildNumber="24" Version="V2018_01_08" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
"#;

const ENVELOPE_TAIL: &str = "  </s:Body>\n</s:Envelope>\n";

/// `YYYY-MM-DDTHH:MM:SSZ` for minutes since 2026-01-05T00:00Z (a Monday).
fn timestamp(minutes: u64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
        .expect("valid date")
        .and_hms_opt(0, 0, 0)
        .expect("valid time");
    let at = start + chrono::Duration::minutes(minutes as i64);
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What the generator put in, so the benchmarks can check that parsers read it all.
pub struct Expected {
    pub items: usize,
    /// The decoded subject of the last item.
    pub last_subject: String,
}

/// Decodes the entities used in the tables above (the expected value, not a parser).
fn decode(escaped: &str) -> String {
    escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#8211;", "\u{2013}")
        .replace("&amp;", "&")
}

/// A FindItem CalendarView response with `count` calendar items.
pub fn find_item_calendar_view(count: usize, seed: u64) -> (String, Expected) {
    let mut rng = Rng(seed);
    let mut xml = String::with_capacity(count * 2400 + 2048);
    xml.push_str(ENVELOPE_HEAD);
    xml.push_str(
        r#"    <m:FindItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
        <m:FindItemResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
"#,
    );
    let _ = writeln!(
        xml,
        r#"          <m:RootFolder TotalItemsInView="{count}" IncludesLastItemInRange="true">"#
    );
    xml.push_str("            <t:Items>\n");
    let folder_id = format!("AAMkAD{}AAA=", rng.base64(110));
    let mut minutes = 8 * 60;
    let mut last_subject = String::new();
    for index in 0..count {
        let subject = format!("{}{} #{index}", rng.pick(SUBJECTS), rng.pick(SUFFIXES));
        let all_day = rng.below(20) == 0;
        let (start, end) = if all_day {
            let day = (minutes / 1440 + 1) * 1440;
            (day, day + 1440)
        } else {
            let length = [30, 45, 60, 90, 120][rng.below(5)];
            (minutes, minutes + length)
        };
        minutes = start + 15 * (1 + rng.below(8) as u64);
        let created = start.saturating_sub(60 * 24 * (1 + rng.below(30) as u64));
        let (organizer, email) = ORGANIZERS[rng.below(ORGANIZERS.len())];
        let item_id = format!("AAMkAD{}AAA=", rng.base64(146));
        let change_key = format!("DwAAABYAAAA{}", rng.base64(29));
        let _ = write!(
            xml,
            r#"              <t:CalendarItem>
                <t:ItemId Id="{item_id}" ChangeKey="{change_key}" />
                <t:ParentFolderId Id="{folder_id}" ChangeKey="AQAAAA==" />
                <t:ItemClass>IPM.Appointment</t:ItemClass>
                <t:Subject>{subject}</t:Subject>
                <t:Sensitivity>Normal</t:Sensitivity>
                <t:DateTimeReceived>{created_at}</t:DateTimeReceived>
                <t:Size>{size}</t:Size>
                <t:Importance>{importance}</t:Importance>
                <t:IsSubmitted>false</t:IsSubmitted>
                <t:IsDraft>false</t:IsDraft>
                <t:IsFromMe>false</t:IsFromMe>
                <t:IsResend>false</t:IsResend>
                <t:IsUnmodified>false</t:IsUnmodified>
                <t:DateTimeSent>{created_at}</t:DateTimeSent>
                <t:DateTimeCreated>{created_at}</t:DateTimeCreated>
                <t:ReminderDueBy>{start_at}</t:ReminderDueBy>
                <t:ReminderIsSet>{reminder}</t:ReminderIsSet>
                <t:ReminderMinutesBeforeStart>15</t:ReminderMinutesBeforeStart>
                <t:DisplayCc />
                <t:DisplayTo>{organizer}; Dan Jump</t:DisplayTo>
                <t:HasAttachments>false</t:HasAttachments>
                <t:Culture>en-US</t:Culture>
                <t:Start>{start_at}</t:Start>
                <t:End>{end_at}</t:End>
                <t:IsAllDayEvent>{all_day}</t:IsAllDayEvent>
                <t:LegacyFreeBusyStatus>{free_busy}</t:LegacyFreeBusyStatus>
"#,
            created_at = timestamp(created),
            size = 3000 + rng.below(9000),
            importance = rng.pick(&["Normal", "Normal", "High", "Low"]),
            start_at = timestamp(start),
            end_at = timestamp(end),
            reminder = rng.below(3) != 0,
            free_busy = rng.pick(&["Busy", "Busy", "Tentative", "Free", "OOF"]),
        );
        if rng.below(6) != 0 {
            let _ = writeln!(
                xml,
                "                <t:Location>{}</t:Location>",
                rng.pick(LOCATIONS)
            );
        }
        let _ = write!(
            xml,
            r#"                <t:IsMeeting>true</t:IsMeeting>
                <t:IsCancelled>false</t:IsCancelled>
                <t:IsRecurring>false</t:IsRecurring>
                <t:MeetingRequestWasSent>false</t:MeetingRequestWasSent>
                <t:IsResponseRequested>true</t:IsResponseRequested>
                <t:CalendarItemType>Single</t:CalendarItemType>
                <t:MyResponseType>{response}</t:MyResponseType>
                <t:Organizer>
                  <t:Mailbox>
                    <t:Name>{organizer}</t:Name>
                    <t:EmailAddress>{email}</t:EmailAddress>
                    <t:RoutingType>SMTP</t:RoutingType>
                  </t:Mailbox>
                </t:Organizer>
                <t:Duration>PT{duration}M</t:Duration>
                <t:TimeZone>{time_zone}</t:TimeZone>
                <t:AppointmentSequenceNumber>0</t:AppointmentSequenceNumber>
                <t:AppointmentState>3</t:AppointmentState>
                <t:ConferenceType>0</t:ConferenceType>
                <t:AllowNewTimeProposal>true</t:AllowNewTimeProposal>
              </t:CalendarItem>
"#,
            response = rng.pick(&["Accept", "Organizer", "Tentative", "NoResponseReceived"]),
            duration = end - start,
            time_zone = rng.pick(TIME_ZONES),
        );
        last_subject = decode(&subject);
    }
    xml.push_str(
        r#"            </t:Items>
          </m:RootFolder>
        </m:FindItemResponseMessage>
      </m:ResponseMessages>
    </m:FindItemResponse>
"#,
    );
    xml.push_str(ENVELOPE_TAIL);
    (
        xml,
        Expected {
            items: count,
            last_subject,
        },
    )
}

const BODY_LINES: &[&str] = &[
    "Please review the attached figures before Friday.",
    "Merci de vérifier les chiffres &amp; de répondre avant vendredi.",
    "Bitte prüfen: Größe &lt; 10 &amp;&amp; Gewicht &gt; 2",
    "請在週五前完成。",
    "Call Sarah O'Connor re: &quot;renewal&quot; ☎",
];

const CATEGORIES: &[&str] = &["Blue category", "Projekt Ärger", "Follow-up", "重要"];

/// A GetItem response with `count` tasks, one `GetItemResponseMessage` per task as Exchange
/// answers a GetItem for `count` ItemIds.
pub fn get_item_tasks(count: usize, seed: u64) -> (String, Expected) {
    let mut rng = Rng(seed);
    let mut xml = String::with_capacity(count * 2600 + 2048);
    xml.push_str(ENVELOPE_HEAD);
    xml.push_str(
        r#"    <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
"#,
    );
    let folder_id = format!("AAMkAD{}AAA=", rng.base64(110));
    let mut last_subject = String::new();
    for index in 0..count {
        let subject = format!("{}{} #{index}", rng.pick(SUBJECTS), rng.pick(SUFFIXES));
        let created = (index as u64) * 97 + rng.below(600) as u64;
        let start = created + 1440 * rng.below(10) as u64;
        let due = start + 1440 * (1 + rng.below(20) as u64);
        let (status, description, percent) = match rng.below(5) {
            0 => ("NotStarted", "Not Started", 0),
            1 => ("InProgress", "In Progress", 25 * (1 + rng.below(3))),
            2 => ("Completed", "Completed", 100),
            3 => ("WaitingOnOthers", "Waiting on someone else", 50),
            _ => ("Deferred", "Deferred", 10),
        };
        let body: Vec<&str> = (0..1 + rng.below(4))
            .map(|_| rng.pick(BODY_LINES))
            .collect();
        let (owner, _) = ORGANIZERS[rng.below(ORGANIZERS.len())];
        let _ = write!(
            xml,
            r#"        <m:GetItemResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Items>
            <t:Task>
              <t:ItemId Id="AAMkAD{item_id}AAA=" ChangeKey="EwAAABYAAAA{change_key}" />
              <t:ParentFolderId Id="{folder_id}" ChangeKey="AQAAAA==" />
              <t:ItemClass>IPM.Task</t:ItemClass>
              <t:Subject>{subject}</t:Subject>
              <t:Sensitivity>Normal</t:Sensitivity>
              <t:Body BodyType="Text">{body}</t:Body>
              <t:DateTimeReceived>{created_at}</t:DateTimeReceived>
              <t:Size>{size}</t:Size>
              <t:Categories>
                <t:String>{category}</t:String>
              </t:Categories>
              <t:Importance>{importance}</t:Importance>
              <t:IsSubmitted>false</t:IsSubmitted>
              <t:IsDraft>true</t:IsDraft>
              <t:IsFromMe>false</t:IsFromMe>
              <t:IsResend>false</t:IsResend>
              <t:IsUnmodified>false</t:IsUnmodified>
              <t:DateTimeSent>{created_at}</t:DateTimeSent>
              <t:DateTimeCreated>{created_at}</t:DateTimeCreated>
              <t:ReminderDueBy>{due_at}</t:ReminderDueBy>
              <t:ReminderIsSet>{reminder}</t:ReminderIsSet>
              <t:ReminderMinutesBeforeStart>0</t:ReminderMinutesBeforeStart>
              <t:DisplayCc />
              <t:DisplayTo />
              <t:HasAttachments>false</t:HasAttachments>
              <t:Culture>en-US</t:Culture>
              <t:ChangeCount>{change_count}</t:ChangeCount>
"#,
            item_id = rng.base64(146),
            change_key = rng.base64(29),
            body = body.join("\n"),
            created_at = timestamp(created),
            due_at = timestamp(due),
            size = 1500 + rng.below(4000),
            category = rng.pick(CATEGORIES),
            importance = rng.pick(&["Normal", "Normal", "High", "Low"]),
            reminder = rng.below(2) == 0,
            change_count = 1 + rng.below(5),
        );
        if status == "Completed" {
            let _ = writeln!(
                xml,
                "              <t:CompleteDate>{}</t:CompleteDate>",
                timestamp(due)
            );
        }
        let _ = write!(
            xml,
            r#"              <t:DueDate>{due_at}</t:DueDate>
              <t:IsComplete>{complete}</t:IsComplete>
              <t:IsRecurring>false</t:IsRecurring>
              <t:Owner>{owner}</t:Owner>
              <t:PercentComplete>{percent}</t:PercentComplete>
              <t:StartDate>{start_at}</t:StartDate>
              <t:Status>{status}</t:Status>
              <t:StatusDescription>{description}</t:StatusDescription>
            </t:Task>
          </m:Items>
        </m:GetItemResponseMessage>
"#,
            due_at = timestamp(due),
            complete = status == "Completed",
            start_at = timestamp(start),
        );
        last_subject = decode(&subject);
    }
    xml.push_str(
        r#"      </m:ResponseMessages>
    </m:GetItemResponse>
"#,
    );
    xml.push_str(ENVELOPE_TAIL);
    (
        xml,
        Expected {
            items: count,
            last_subject,
        },
    )
}
