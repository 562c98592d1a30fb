import CreditTypes
import Ledger

/// A `GET /keys` page as the API sends it (the simulator's fields, in its order), for the
/// listing's `raw_bodies`: `fetch` keeps every page verbatim, so the bench's journal
/// carries the same weight. The recent-use fields are 0: nothing reads them.
enum KeysPageBody {
    static let empty = #"{"data":[]}"#

    static func text(_ keys: [KeyReading], updatedAt: Timestamp?) -> String {
        var out = #"{"data":["#
        for (index, key) in keys.enumerated() {
            if index > 0 { out += "," }
            let limit = key.limit.map(\.decimalText) ?? "null"
            let remaining = key.limitRemaining.map(\.decimalText) ?? "null"
            let updated = key.disabled == true ? updatedAt.map { "\"\($0.iso8601)\"" } ?? "null" : "null"
            out += #"{"byok_usage":0,"byok_usage_daily":0,"byok_usage_monthly":0,"byok_usage_weekly":0,"#
            out += #""created_at":"\#(key.createdAt?.iso8601 ?? "")","creator_user_id":null,"#
            out += #""disabled":\#(key.disabled == true),"expires_at":null,"external_user":null,"#
            out += #""hash":"\#(key.hash)","include_byok_in_limit":false,"label":"\#(key.label ?? "")","#
            out += #""last_used_at":null,"limit":\#(limit),"limit_remaining":\#(remaining),"limit_reset":null,"#
            out += #""name":"\#(key.name ?? "")","updated_at":\#(updated),"usage":\#(key.usage.decimalText),"#
            out += #""usage_daily":0,"usage_monthly":0,"usage_weekly":0,"#
            out += #""workspace_id":"9a3f6c1e-5b2d-4e8f-a7c0-3d1b2e4f6a80"}"#
        }
        return out + "]}"
    }
}
