import CreditRecon
import Foundation

extension CommandContext {
    /// Whether a long command keeps a progress line: stderr is a terminal that can erase a
    /// line (not `TERM=dumb`, which showed the erasing as `^[[K`, probe 451) and stdout is
    /// not given to `--json`.
    var showsProgress: Bool {
        isatty(STDERR_FILENO) == 1 && !json && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}
