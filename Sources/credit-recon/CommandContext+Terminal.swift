import CreditRecon
import Foundation

extension CommandContext {
    /// Whether a long command keeps a progress line: stderr is a terminal and stdout is
    /// not given to `--json`.
    var showsProgress: Bool { isatty(STDERR_FILENO) == 1 && !json }
}
