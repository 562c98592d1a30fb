import ArgumentParser

/// The ranges of the attention thresholds `report`, `run` and `status` take: wide enough
/// for any real use, and small enough that the seconds and tenths they become fit.
enum ThresholdFlags {
    /// `--max-gap`: an hour to ten years.
    static let maxGapHours = 1...87_600
    /// `--min-runway-days`: none to a hundred years.
    static let minRunwayDays = 0...36_500

    static func validate(maxGap: Int, minRunwayDays: Int) throws {
        guard maxGapHours.contains(maxGap) else {
            throw ValidationError("--max-gap must be a whole number of hours from 1 to \(maxGapHours.upperBound)")
        }
        guard Self.minRunwayDays.contains(minRunwayDays) else {
            throw ValidationError("--min-runway-days must be a whole number of days from 0 to \(Self.minRunwayDays.upperBound)")
        }
    }
}
