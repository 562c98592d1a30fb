/// The guardrail before real charges: on a terminal, show the totals and ask; without
/// one, `--yes` is required (exit 64 and nothing sent otherwise).
public enum TopUpConfirmation {
    /// Returns normally when the run may go on; throws `TopUpError.confirmationRequired`
    /// (64) or `.declined` (0, nothing sent).
    ///
    /// - Parameters:
    ///   - show: prints text to the person (stderr on the CLI, so `--json` stays clean).
    ///   - ask: reads the answer line, `nil` at end of input.
    public static func check(_ preview: TopUpPreview, yes: Bool, isTerminal: Bool, show: (String) -> Void,
                             ask: () -> String?) throws(TopUpError) {
        guard !preview.toSend.isEmpty, !yes else { return }
        guard isTerminal else { throw .confirmationRequired(plan: preview.planFile) }
        show(preview.totalsText())
        show("Create \(preview.toSend.count) charge\(preview.toSend.count == 1 ? "" : "s") for \(preview.sendTotal.centsText) USD? [y/N] ")
        // At the end of input the answer's line break never came: the next line would stand
        // on the prompt's (probe 399).
        guard let given = ask() else {
            show("\n")
            throw .declined
        }
        let answer = given.trimmingASCIIWhitespace().lowercased()
        guard answer == "y" || answer == "yes" else { throw .declined }
    }
}
