import Ledger

extension ExitStatus {
    /// The one place where errors become exit codes (CONTRACT.md § Exit codes).
    public init(for error: any Error) {
        switch error {
        case let error as any ExitCoded:
            self = error.exitStatus
        case let error as LedgerError:
            switch error {
            case .diskFull, .scratchFull, .io, .server, .writerSessionLost, .notPermitted, .readOnlySession, .cannotCreateLock, .lockNotOurs, .manyNames, .malformedEntry, .entriesLost: self = .ioError
            case .busy, .writerBusy(_, _, heldHere: false, _), .noLedger(_, _?), .serverBusy, .lockWaitGivenUp, .lockHeldShared, .writerLockLost, .writerOnRemovedLock:
                self = .tempFail
            case .newerSchema, .olderSchema: self = .config
            case .badLocation, .notEmpty, .writerBusy(_, _, heldHere: true, _): self = .usage
            case .noLedger(_, nil), .otherDatabase, .notADatabase: self = .noInput
            case .conflict: self = .dataError
            case .store, .refused: self = .software
            }
        default:
            self = .software
        }
    }

    /// One readable sentence for `error` (never a key: keys are `Secret`s), safe to print
    /// on a terminal whatever the file or server it quotes held (`TerminalText`).
    public static func message(for error: any Error) -> String {
        switch error {
        // One sentence, whatever a path it names holds: a ledger path's line break made the
        // rest read as a second error (probe 398).
        case let error as LedgerError: return TerminalText.printable(error.description)
        case let error as any ExitCoded: return TerminalText.printableLines(error.description)
        default: return TerminalText.printableLines("internal error: \(String(describing: error))")
        }
    }
}
