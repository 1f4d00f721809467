/// Why a traffic split was refused. Each message says what is wrong and what to give instead.
public enum TrafficSplitError: Error, Equatable, CustomStringConvertible {
    /// No weights were given, so there is no arm to send anyone to.
    case noArms
    /// The weight at `index` is NaN or infinite.
    case weightNotFinite(index: Int)
    /// The weight at `index` is below zero.
    case negativeWeight(index: Int, value: Double)
    /// Every weight is zero, so no arm would receive traffic.
    case allWeightsZero
    /// Each weight is finite but their sum is not, so shares cannot be computed.
    case weightsSumNotFinite
    /// Coverage is outside 0...1.
    case coverageOutOfRange(Double)
    /// Coverage is NaN.
    case coverageNotANumber

    public var description: String {
        switch self {
        case .noArms:
            return "a traffic split needs at least one arm; give one weight per arm, for example [50, 50]"
        case .weightNotFinite(let index):
            return "the weight of arm \(index) is not a finite number; give each arm a share such as 50 or 0.5"
        case .negativeWeight(let index, let value):
            return "the weight of arm \(index) is negative (\(value)); weights must be zero or more"
        case .allWeightsZero:
            return "every weight is zero, so no arm would get traffic; give at least one arm a positive weight"
        case .weightsSumNotFinite:
            return "the weights add up to more than a Double can hold; scale them down, for example to percentages"
        case .coverageOutOfRange(let value):
            return "coverage must be between 0 and 1 (got \(value)); 0.5 sends half of all units into the rollout"
        case .coverageNotANumber:
            return "coverage is not a number; give a share between 0 and 1"
        }
    }
}
