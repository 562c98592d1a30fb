import AsyncWait
import Testing

/// The suites of issue 6 (crash, faults, signals, hostile input, secrets, full disk,
/// tampering, concurrency). They start many processes and time their kills and signals,
/// so they run one at a time: in parallel they would starve each other, and the timing
/// tests of the rest of the suite, on a two-core CI machine.
@Suite("Reliability (issue 6)", .serialized, .threadOfItsOwn(takingTurns: false))
struct Reliability {}
