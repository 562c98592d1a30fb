/// The charges an expired charge may have been paid in place of (`of`, taken as paid by a
/// rise it could have explained as well), alone or together with the other expired charges
/// of `with`: the readings cannot tell which were paid (`Reconciliation.alikeTakenInstead`).
public struct PaidInPlace: Sendable, Equatable {
    public var of: [String]
    public var with: [String] = []

    public init(of: [String], with: [String] = []) {
        self.of = of
        self.with = with
    }
}
