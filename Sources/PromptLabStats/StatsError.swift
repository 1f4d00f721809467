/// An input that a statistic cannot be computed from.
///
/// Each case says what was wrong so that a caller can tell the user what to change.
public enum StatsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The computation needs at least `needed` observations but got `got`.
    case tooFewObservations(needed: Int, got: Int)
    /// Two inputs that must be paired element by element have different lengths.
    case lengthMismatch(Int, Int)
    /// An argument is outside its valid range; the string names it and the range.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .tooFewObservations(let needed, let got):
            return "needs at least \(needed) observations, got \(got)"
        case .lengthMismatch(let a, let b):
            return "paired inputs have different lengths (\(a) and \(b))"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        }
    }
}
