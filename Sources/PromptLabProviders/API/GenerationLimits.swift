/// The ranges a vendor documents for the generation settings, checked before a request is sent.
///
/// A setting out of range would be sent on and refused by the vendor (a 400 on every cell), or worse,
/// accepted by a proxy and silently clamped; checking first turns it into one error naming the limit,
/// before anything is sent. Each provider file declares its vendor's limits with a link to where they
/// are documented; servers that only copy a wire format (Ollama, vLLM, ...) get ``basic``.
public struct GenerationLimits: Sendable, Hashable {
    /// The vendor's name as messages say it: `OpenAI`, `Anthropic`, `Gemini`.
    public var vendor: String
    /// The accepted sampling temperatures.
    public var temperature: ClosedRange<Double>
    /// The accepted nucleus-sampling probabilities.
    public var topP: ClosedRange<Double>
    /// The accepted answer lengths, in tokens.
    public var maxOutputTokens: ClosedRange<Int>
    /// The most stop sequences a request may carry; nil when the vendor documents no limit.
    public var maxStopSequences: Int?
    /// The accepted seeds; nil when any `Int` is accepted (or the seed is not sent).
    public var seed: ClosedRange<Int>?
    /// The accepted top-k values; nil when the vendor has no top-k sampling (OpenAI), so a request
    /// that sets ``GenerationConfig/topK`` is refused rather than sent with it silently dropped.
    public var topK: ClosedRange<Int>?

    /// Declares a vendor's limits; unset limits are the ``basic`` ones.
    public init(
        vendor: String,
        temperature: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude,
        topP: ClosedRange<Double> = 0...1,
        maxOutputTokens: ClosedRange<Int> = 1...Int.max,
        maxStopSequences: Int? = nil,
        seed: ClosedRange<Int>? = nil,
        topK: ClosedRange<Int>? = Int.min...Int.max
    ) {
        self.vendor = vendor
        self.temperature = temperature
        self.topP = topP
        self.maxOutputTokens = maxOutputTokens
        self.maxStopSequences = maxStopSequences
        self.seed = seed
        self.topK = topK
    }

    /// What every server accepts: a finite, non-negative temperature, a probability for `topP`, and
    /// at least one answer token; any `topK` (vLLM takes -1 for "all tokens", llama.cpp 0). For servers
    /// that copy a wire format but not its limits.
    public static func basic(_ vendor: String) -> GenerationLimits { GenerationLimits(vendor: vendor) }

    /// The 32-bit range of the vendors' `int32` fields (Gemini's `seed` and `maxOutputTokens`).
    public static let int32Range = Int(Int32.min)...Int(Int32.max)

    /// The first setting of `config` out of range, as one line naming the limit
    /// (`temperature 1.5 is out of range; Anthropic accepts 0 to 1`); nil when every setting fits.
    public func problem(with config: GenerationConfig) -> String? {
        if let value = config.temperature, !(value.isFinite && temperature.contains(value)) {
            return outOfRange("temperature", Self.format(value), Self.format(temperature.lowerBound), temperature.upperBound)
        }
        if let value = config.topP, !(value.isFinite && topP.contains(value)) {
            return outOfRange("topP", Self.format(value), Self.format(topP.lowerBound), topP.upperBound)
        }
        if let value = config.maxOutputTokens, !maxOutputTokens.contains(value) {
            return outOfRange(
                "maxOutputTokens", String(value), String(maxOutputTokens.lowerBound), Double(maxOutputTokens.upperBound))
        }
        if let limit = maxStopSequences, let stops = config.stopSequences, stops.count > limit {
            return "stopSequences has \(stops.count) entries; \(vendor) accepts at most \(limit)"
        }
        if let range = seed, let value = config.seed, !range.contains(value) {
            return "seed \(value) is out of range; \(vendor) accepts \(range.lowerBound) to \(range.upperBound)"
        }
        if let value = config.topK {
            guard let range = topK else { return "\(vendor) has no topK setting; remove topK from the prompt's config" }
            if !range.contains(value) {
                return outOfRange("topK", String(value), String(range.lowerBound), Double(range.upperBound))
            }
        }
        if let problem = config.responseSchema?.problem(at: "responseSchema") { return problem }
        for key in config.additional.keys.sorted() {
            if key.isEmpty { return "a config key is empty" }
            if let problem = config.additional[key]?.problem(at: key) { return problem }
        }
        return nil
    }

    private func outOfRange(_ name: String, _ value: String, _ lower: String, _ upper: Double) -> String {
        let accepted =
            upper >= Double(Int.max) || upper == .greatestFiniteMagnitude ? "\(lower) or more" : "\(lower) to \(Self.format(upper))"
        return "\(name) \(value) is out of range; \(vendor) accepts \(accepted)"
    }

    /// `1.5`, `2`, `nan`: whole numbers without a `.0`, as a person writes them in front matter.
    static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
