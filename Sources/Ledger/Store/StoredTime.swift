import CreditTypes

/// A time column as read: a time, or the text that could not be read as one.
enum StoredTime {
    case time(Timestamp)
    case unreadable(String)
}
