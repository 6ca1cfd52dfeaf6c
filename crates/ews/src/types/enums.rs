//! EWS enumerations (spelled as in types.xsd; serde uses the same spelling).
//!
//! - [Importance](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/importance)
//! - [Sensitivity](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/sensitivity)
//! - [LegacyFreeBusyStatus](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/legacyfreebusystatus)
//! - [MyResponseType](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/myresponsetype)
//! - [CalendarItemType](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritemtype)
//! - [DistinguishedFolderId](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/distinguishedfolderid)

use crate::xml::str_enum;

str_enum!(
    /// `t:BodyTypeType`
    BodyType { Html = "HTML", Text = "Text" }
);
str_enum!(
    /// `t:BodyTypeResponseType` (ItemShape/BodyType)
    BodyTypeResponse { Best = "Best", Html = "HTML", Text = "Text" }
);
str_enum!(
    /// `t:ImportanceChoicesType`
    Importance { Low = "Low", Normal = "Normal", High = "High" }
);
str_enum!(
    /// `t:SensitivityChoicesType`
    Sensitivity { Normal = "Normal", Personal = "Personal", Private = "Private", Confidential = "Confidential" }
);
str_enum!(
    /// `t:LegacyFreeBusyType` (show as)
    LegacyFreeBusy {
        Free = "Free",
        Tentative = "Tentative",
        Busy = "Busy",
        Oof = "OOF",
        WorkingElsewhere = "WorkingElsewhere",
        NoData = "NoData",
    }
);
str_enum!(
    /// `t:ResponseTypeType`
    ResponseType {
        Unknown = "Unknown",
        Organizer = "Organizer",
        Tentative = "Tentative",
        Accept = "Accept",
        Decline = "Decline",
        NoResponseReceived = "NoResponseReceived",
    }
);
str_enum!(
    /// `t:CalendarItemTypeType`
    CalendarItemType { Single = "Single", Occurrence = "Occurrence", Exception = "Exception", RecurringMaster = "RecurringMaster" }
);
str_enum!(
    /// `t:TaskStatusType`
    TaskStatus {
        NotStarted = "NotStarted",
        InProgress = "InProgress",
        Completed = "Completed",
        WaitingOnOthers = "WaitingOnOthers",
        Deferred = "Deferred",
    }
);
str_enum!(
    /// `t:MailboxTypeType`
    MailboxType {
        Unknown = "Unknown",
        OneOff = "OneOff",
        Mailbox = "Mailbox",
        PublicDL = "PublicDL",
        PrivateDL = "PrivateDL",
        Contact = "Contact",
        PublicFolder = "PublicFolder",
        GroupMailbox = "GroupMailbox",
        ImplicitContact = "ImplicitContact",
        User = "User",
    }
);
str_enum!(
    /// `t:DefaultShapeNamesType`
    BaseShape { IdOnly = "IdOnly", Default = "Default", AllProperties = "AllProperties", PcxPeopleSearch = "PcxPeopleSearch" }
);
str_enum!(
    /// `t:DistinguishedFolderIdNameType` (the ones this project uses)
    DistinguishedFolderName {
        Calendar = "calendar",
        Contacts = "contacts",
        DeletedItems = "deleteditems",
        Drafts = "drafts",
        Inbox = "inbox",
        Journal = "journal",
        Notes = "notes",
        Outbox = "outbox",
        SentItems = "sentitems",
        Tasks = "tasks",
        MsgFolderRoot = "msgfolderroot",
        Root = "root",
        JunkEmail = "junkemail",
    }
);
str_enum!(
    /// `t:MessageDispositionType`
    MessageDisposition { SaveOnly = "SaveOnly", SendOnly = "SendOnly", SendAndSaveCopy = "SendAndSaveCopy" }
);
str_enum!(
    /// `t:CalendarItemCreateOrDeleteOperationType` (CreateItem/@SendMeetingInvitations, DeleteItem/@SendMeetingCancellations)
    SendMeetingInvitations { SendToNone = "SendToNone", SendOnlyToAll = "SendOnlyToAll", SendToAllAndSaveCopy = "SendToAllAndSaveCopy" }
);
str_enum!(
    /// `t:ItemQueryTraversalType`
    ItemTraversal { Shallow = "Shallow", SoftDeleted = "SoftDeleted", Associated = "Associated" }
);
str_enum!(
    /// `t:IndexBasePointType`
    IndexBasePoint { Beginning = "Beginning", End = "End" }
);
str_enum!(
    /// `t:SortDirectionType`
    SortDirection { Ascending = "Ascending", Descending = "Descending" }
);
str_enum!(
    /// `t:ResponseClassType`
    ResponseClass { Success = "Success", Warning = "Warning", Error = "Error" }
);
str_enum!(
    /// `t:MapiPropertyTypeType` (common ones)
    MapiPropertyType {
        ApplicationTime = "ApplicationTime",
        Binary = "Binary",
        Boolean = "Boolean",
        CLSID = "CLSID",
        Currency = "Currency",
        Double = "Double",
        Float = "Float",
        Integer = "Integer",
        Long = "Long",
        Short = "Short",
        SystemTime = "SystemTime",
        String = "String",
        StringArray = "StringArray",
        IntegerArray = "IntegerArray",
    }
);
str_enum!(
    /// `t:DistinguishedPropertySetType`
    DistinguishedPropertySet {
        Meeting = "Meeting",
        Appointment = "Appointment",
        Common = "Common",
        PublicStrings = "PublicStrings",
        Address = "Address",
        InternetHeaders = "InternetHeaders",
        CalendarAssistant = "CalendarAssistant",
        UnifiedMessaging = "UnifiedMessaging",
        Task = "Task",
        Sharing = "Sharing",
    }
);
str_enum!(
    /// `t:ExchangeVersionType` values we support sending (RequestServerVersion/@Version)
    ExchangeVersion {
        Exchange2013 = "Exchange2013",
        Exchange2013Sp1 = "Exchange2013_SP1",
        Exchange2015 = "Exchange2015",
        Exchange2016 = "Exchange2016",
    }
);

#[allow(clippy::derivable_impls)] // the macro-generated enum cannot carry #[default]
impl Default for ExchangeVersion {
    fn default() -> Self {
        ExchangeVersion::Exchange2016
    }
}

str_enum!(
    /// `t:ConflictResolutionType` (UpdateItem/@ConflictResolution)
    ConflictResolution { NeverOverwrite = "NeverOverwrite", AutoResolve = "AutoResolve", AlwaysOverwrite = "AlwaysOverwrite" }
);
str_enum!(
    /// `t:CalendarItemUpdateOperationType` (UpdateItem/@SendMeetingInvitationsOrCancellations)
    SendMeetingInvitationsOrCancellations {
        SendToNone = "SendToNone",
        SendOnlyToAll = "SendOnlyToAll",
        SendOnlyToChanged = "SendOnlyToChanged",
        SendToAllAndSaveCopy = "SendToAllAndSaveCopy",
        SendToChangedAndSaveCopy = "SendToChangedAndSaveCopy",
    }
);
str_enum!(
    /// `t:DisposalType` (DeleteItem/@DeleteType)
    DisposalType { HardDelete = "HardDelete", SoftDelete = "SoftDelete", MoveToDeletedItems = "MoveToDeletedItems" }
);
str_enum!(
    /// `t:AffectedTaskOccurrencesType`
    AffectedTaskOccurrences { AllOccurrences = "AllOccurrences", SpecifiedOccurrenceOnly = "SpecifiedOccurrenceOnly" }
);
str_enum!(
    /// `t:ResolveNamesSearchScopeType`
    ResolveNamesSearchScope {
        ActiveDirectory = "ActiveDirectory",
        ActiveDirectoryContacts = "ActiveDirectoryContacts",
        Contacts = "Contacts",
        ContactsActiveDirectory = "ContactsActiveDirectory",
    }
);
str_enum!(
    /// `t:MeetingAttendeeType` (GetUserAvailability MailboxData/AttendeeType)
    MeetingAttendeeType { Organizer = "Organizer", Required = "Required", Optional = "Optional", Room = "Room", Resource = "Resource" }
);
str_enum!(
    /// `t:FreeBusyViewType`
    FreeBusyViewType {
        None = "None",
        MergedOnly = "MergedOnly",
        FreeBusy = "FreeBusy",
        FreeBusyMerged = "FreeBusyMerged",
        Detailed = "Detailed",
        DetailedMerged = "DetailedMerged",
    }
);
