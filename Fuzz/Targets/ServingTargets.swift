import PromptLabProviders
import PromptRollouts

extension FuzzTarget {
    /// A rollout file (`rollouts/NAME.yaml`), read and checked as `promptlab rollout start` does.
    public static let rolloutFile = FuzzTarget(name: "rollout-file", summary: "a rollout file (rollouts/NAME.yaml)") { bytes in
        _ = try? RolloutDefinition.parse(String(decoding: bytes, as: UTF8.self), displayPath: "rollouts/fuzz.yaml", defaultName: "fuzz")
    }

    /// A streamed answer's body, as the gateway's upstream stream readers see it.
    ///
    /// Input layout: the first byte picks the vendor (OpenAI, Anthropic, Gemini), the second the size of
    /// the chunks the body arrives in (1 to 256 bytes, so events split at every place); then the body.
    public static let streamedAnswer = FuzzTarget(
        name: "streamed-answer", summary: "an OpenAI, Anthropic or Gemini server-sent-event stream, in chunks"
    ) { bytes in
        guard bytes.count >= 2 else { return }
        let vendor = StreamedBody.Vendor.allCases[Int(bytes[0]) % StreamedBody.Vendor.allCases.count]
        _ = try? StreamedBody.events(of: Array(bytes[2...]), vendor: vendor, chunkSize: Int(bytes[1]) + 1)
    }
}
