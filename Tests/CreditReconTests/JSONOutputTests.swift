import Foundation
import Testing
@testable import CreditRecon

struct JSONOutputTests {
    /// A direction override in a value (a reference from a Coinbase export) is written as
    /// its escape: a terminal showing `--json` output shows `\u202e`, not the rest of the
    /// line turned around, and a JSON reader gets the same string back.
    @Test func directionControlsAreWrittenAsEscapesAndReadBackTheSame() throws {
        let reference = "inv-\u{202E}1202\u{2066}x\u{200F}y\u{061C}"
        let output = JSONOutput.object(["reference": .string(reference), "note": .string("plain ünïcode ✓")])
        let text = output.text
        #expect(text == #"{"note":"plain ünïcode ✓","reference":"inv-\u202e1202\u2066x\u200fy\u061c"}"#)
        #expect(!text.unicodeScalars.contains { LookAlikeName.isDirectionControl($0) })
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(decoded?["reference"] == reference)
        #expect(decoded?["note"] == "plain ünïcode ✓")
    }
}
