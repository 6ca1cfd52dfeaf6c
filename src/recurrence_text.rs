//! A recurrence rule in one line of the form's language ("Every 2 weeks on Mon and Thu until
//! 31 Mar 2027"), and the draft a rule is built from. Plain functions, no browser needed.

use model::{FieldErrors, Pattern, Recurrence, RecurrenceDraft, RecurrenceEnd};

use crate::i18n::Lang;

/// The rule `draft` gives for a series starting on `start`, if the draft is complete.
pub fn rule(draft: &RecurrenceDraft, start: &str) -> Option<Recurrence> {
    let date_part = start.split_once('T').map_or(start, |(date, _)| date);
    let start = model::fields::parse_date(date_part).ok()?;
    draft.parse(start, &mut FieldErrors::new())
}

struct Words {
    /// `every(n, unit)`, units: day, week, month, year.
    units: [(&'static str, &'static str); 4],
    every: &'static str,
    on: &'static str,
    on_day: &'static str,
    and: &'static str,
    until: &'static str,
    times: &'static str,
    short_days: [&'static str; 7],
    days: [&'static str; 7],
    months: [&'static str; 12],
    weeks: [&'static str; 5],
}

static EN: Words = Words {
    units: [
        ("day", "days"),
        ("week", "weeks"),
        ("month", "months"),
        ("year", "years"),
    ],
    every: "Every",
    on: "on",
    on_day: "on day",
    and: "and",
    until: "until",
    times: "times",
    short_days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    days: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    weeks: ["first", "second", "third", "fourth", "last"],
};

static FR: Words = Words {
    units: [
        ("jour", "jours"),
        ("semaine", "semaines"),
        ("mois", "mois"),
        ("an", "ans"),
    ],
    every: "Tous les",
    on: "le",
    on_day: "le",
    and: "et",
    until: "jusqu’au",
    times: "fois",
    short_days: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    days: [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    weeks: ["premier", "deuxième", "troisième", "quatrième", "dernier"],
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// The weekdays' names, Monday first (as `Weekday::ALL`).
pub fn day_names(lang: Lang) -> &'static [&'static str; 7] {
    &words(lang).days
}

/// One line describing `rule` in `lang`.
pub fn summary(rule: &Recurrence, lang: Lang) -> String {
    let w = words(lang);
    let (unit, interval, rest) = match &rule.pattern {
        Pattern::Daily { interval } => (0, *interval, String::new()),
        Pattern::Weekly { interval, days } => {
            let names: Vec<&str> = days.iter().map(|d| w.short_days[*d as usize]).collect();
            (1, *interval, format!(" {} {}", w.on, list(&names, w.and)))
        }
        Pattern::MonthlyOnDay { interval, day } => (2, *interval, format!(" {} {day}", w.on_day)),
        Pattern::MonthlyOnWeekday {
            interval,
            week,
            weekday,
        } => {
            let which = w.weeks[*week as usize];
            let day = w.days[*weekday as usize];
            let article = if lang == Lang::En { " the" } else { "" };
            (2, *interval, format!(" {}{article} {which} {day}", w.on))
        }
        Pattern::Yearly { month, day } => {
            let month = w.months[(*month as usize).saturating_sub(1) % 12];
            (3, 1, format!(" {} {day} {month}", w.on))
        }
    };
    let (one, many) = w.units[unit];
    // French: "Toutes les semaines" (feminine), "Tous les jours / mois / ans".
    let every = if lang == Lang::Fr && unit == 1 {
        "Toutes les"
    } else {
        w.every
    };
    let head = match (lang, interval) {
        (Lang::En, 1) => format!("{every} {one}"),
        (Lang::Fr, 1) => format!("{every} {many}"),
        (_, n) => format!("{every} {n} {many}"),
    };
    let end = match rule.end {
        RecurrenceEnd::Never => String::new(),
        RecurrenceEnd::Until { date } => format!(" {} {}", w.until, date_text(date, w)),
        RecurrenceEnd::Count { count } => format!(", {count} {}", w.times),
    };
    format!("{head}{rest}{end}")
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[&str], and: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// `31 Mar 2027` for a date whose text is `2027-03-31`.
fn date_text(date: impl ToString, w: &Words) -> String {
    let text = date.to_string();
    let mut parts = text
        .split('-')
        .map(|p| p.parse::<usize>().unwrap_or_default());
    let (year, month, day) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let month = w.months[month.saturating_sub(1) % 12];
    format!("{day} {month} {year}")
}
