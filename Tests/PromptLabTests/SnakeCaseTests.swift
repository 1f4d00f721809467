import PromptLabCore
import Testing

/// The JSON keys of every output document: the fast ASCII path must agree with the Unicode one.
@Suite struct SnakeCaseTests {
    /// The conversion on Characters, as written before the byte path existed.
    static func reference(_ key: String) -> String {
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = index > 0 ? characters[index - 1] : nil
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord = previous.map { $0.isLowercase || $0.isNumber } ?? false
                let endsAcronym = (previous?.isUppercase ?? false) && (next?.isLowercase ?? false)
                if index > 0 && (startsWord || endsAcronym) { result.append("_") }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    @Test func knownKeys() {
        #expect(JSONOutput.snakeCase("costUSD") == "cost_usd")
        #expect(JSONOutput.snakeCase("p95Ms") == "p95_ms")
        #expect(JSONOutput.snakeCase("schemaVersion") == "schema_version")
        #expect(JSONOutput.snakeCase("requestID") == "request_id")
        #expect(JSONOutput.snakeCase("URLValue") == "url_value")
        #expect(JSONOutput.snakeCase("already_snake") == "already_snake")
        #expect(JSONOutput.snakeCase("ÉcoleName") == Self.reference("ÉcoleName"))
    }

    @Test func everyShortASCIIKeyAgreesWithTheReference() {
        let alphabet = Array("aZ9_Bq")
        var keys = [""]
        for _ in 0..<5 { keys = keys.flatMap { key in alphabet.map { key + String($0) } } }
        for key in keys {
            #expect(JSONOutput.snakeCase(key) == Self.reference(key), "\(key)")
        }
    }
}
