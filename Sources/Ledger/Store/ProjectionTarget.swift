/// Which projection tables a write goes to.
enum ProjectionTarget {
    /// The tables the readers read.
    case live
    /// `verify`'s scratch copy.
    case replay
}
