/// The guardrail before real charges: on a terminal, show the totals and ask; without
/// one, `--yes` is required (exit 64 and nothing sent otherwise).
public enum TopUpConfirmation {
    /// Returns normally when the run may go on; throws `TopUpError.confirmationRequired`
    /// (64) or `.declined` (0, nothing sent).
    ///
    /// - Parameters:
    ///   - show: prints a line to the person (stderr on the CLI, so `--json` stays clean); the
    ///     prompt, which ends in a space, stays open for the answer.
    ///   - ask: reads the answer line with its line break, `nil` at end of input.
    public static func check(_ preview: TopUpPreview, yes: Bool, isTerminal: Bool, show: (String) -> Void,
                             ask: () -> String?) throws(TopUpError) {
        guard !preview.toSend.isEmpty, !yes else { return }
        guard isTerminal else { throw .confirmationRequired(plan: preview.planFile) }
        show(preview.totalsText())
        show("Create \(preview.toSend.count) charge\(preview.toSend.count == 1 ? "" : "s") for \(preview.sendTotal.centsText) USD? [y/N] ")
        // An answer the end of input cut short is none: `y` then Ctrl-D made charges without
        // Enter (probe 401). Its line break never came, so the prompt's line is ended here,
        // or the next line stood on it (probe 399).
        guard let given = ask(), given.hasSuffix("\n") else {
            show("")
            throw .declined
        }
        let answer = String(given.dropLast()).trimmingASCIIWhitespace().lowercased()
        guard answer == "y" || answer == "yes" else { throw .declined }
    }
}
