import CreditRecon
import CreditTypes
import Logging

/// The log handler: stderr's, with each line written above the progress line a command
/// keeps on a terminal (`TerminalLine`) instead of into the middle of it.
struct LogAboveProgress: LogHandler {
    var stream: StreamLogHandler
    let terminal: TerminalLine

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    /// Writes the line above the progress line, made safe to print and kept to one line (a
    /// log line may quote a server's text: `TerminalText.oneLine`; a charge id's line break
    /// wrote a line of its own, probe 383).
    func log(event: LogEvent) {
        var event = event
        event.message = "\(Secret.scrubbed(TerminalText.oneLine(event.message.description)))"
        terminal.writingAbove { stream.log(event: event) }
    }
}
