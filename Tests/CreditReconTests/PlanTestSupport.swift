import Foundation

/// A fresh temporary folder per test, removed when the test ends.
final class PlanTempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("plan-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// EIP-55 example wallets for plans.
enum Wallets {
    static let a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    static let b = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
    static let c = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
    static let d = "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
}
