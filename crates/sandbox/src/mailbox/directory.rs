//! The sandbox organisation: a seeded directory of people and rooms (ResolveNames, GetRooms,
//! GetUserAvailability for rooms). The people are the dev sign-in page's users.

use ews::types::{Mailbox, MailboxType};

/// The domain of every sandbox address (the same as the dev authorization server's users).
pub const DOMAIN: &str = "sandbox.test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Person {
    pub email: &'static str,
    pub given_name: &'static str,
    pub surname: &'static str,
    pub department: &'static str,
    pub job_title: &'static str,
    pub office: &'static str,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    pub email: &'static str,
    pub name: &'static str,
    pub capacity: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomList {
    pub email: &'static str,
    pub name: &'static str,
    pub rooms: &'static [Room],
}

pub const PEOPLE: &[Person] = &[
    Person {
        email: "alice@sandbox.test",
        given_name: "Alice",
        surname: "Sandbox",
        department: "Engineering",
        job_title: "Software Engineer",
        office: "Paris 4",
    },
    Person {
        email: "bob@sandbox.test",
        given_name: "Bob",
        surname: "Sandbox",
        department: "Sales",
        job_title: "Account Manager",
        office: "Paris 2",
    },
    Person {
        email: "carol@sandbox.test",
        given_name: "Carol",
        surname: "Sandbox",
        department: "Finance",
        job_title: "Controller",
        office: "Sydney 7",
    },
    Person {
        email: "dave@sandbox.test",
        given_name: "Dave",
        surname: "Example",
        department: "Engineering",
        job_title: "Engineering Manager",
        office: "Sydney 3",
    },
];

pub const ROOM_LISTS: &[RoomList] = &[
    RoomList {
        email: "paris-rooms@sandbox.test",
        name: "Paris office",
        rooms: &[
            Room {
                email: "room-412@sandbox.test",
                name: "Room 4.12",
                capacity: 8,
            },
            Room {
                email: "eiffel@sandbox.test",
                name: "Salle Eiffel",
                capacity: 20,
            },
        ],
    },
    RoomList {
        email: "sydney-rooms@sandbox.test",
        name: "Sydney office",
        rooms: &[Room {
            email: "harbour@sandbox.test",
            name: "Harbour Room",
            capacity: 12,
        }],
    },
];

pub fn rooms() -> impl Iterator<Item = &'static Room> {
    ROOM_LISTS.iter().flat_map(|list| list.rooms.iter())
}

pub fn is_room(address: &str) -> bool {
    rooms().any(|room| room.email.eq_ignore_ascii_case(address))
}

pub fn is_known(address: &str) -> bool {
    is_room(address) || PEOPLE.iter().any(|p| p.email.eq_ignore_ascii_case(address))
}

pub fn person_mailbox(person: &Person) -> Mailbox {
    Mailbox {
        name: Some(person.display_name()),
        email_address: Some(person.email.to_owned()),
        routing_type: Some("SMTP".into()),
        mailbox_type: Some(MailboxType::Mailbox),
        item_id: None,
    }
}

pub fn room_mailbox(room: &Room) -> Mailbox {
    Mailbox {
        name: Some(room.name.to_owned()),
        email_address: Some(room.email.to_owned()),
        routing_type: Some("SMTP".into()),
        mailbox_type: Some(MailboxType::Mailbox),
        item_id: None,
    }
}

pub fn room_list_mailbox(list: &RoomList) -> Mailbox {
    Mailbox {
        name: Some(list.name.to_owned()),
        email_address: Some(list.email.to_owned()),
        routing_type: Some("SMTP".into()),
        mailbox_type: Some(MailboxType::PublicDL),
        item_id: None,
    }
}
