import Testing

@testable import PromptLabProviders

/// Redaction of a text that arrives in deltas: no key gets through, wherever the deltas split it.
@Suite("Streamed redaction")
struct StreamRedactionTests {
    static let key = "sk-STREAMKEY-0b5e27c9d1f4a683-SECRET"
    static let other = "AIzaOTHERKEY_9c1d5e7f3a2b"
    let redactor = Redactor([APIKey(key), APIKey(other)])

    /// The deltas passed on for `pieces`, in order, and the rest at the end.
    func stream(_ pieces: [String], redactor: Redactor? = nil) -> [String] {
        var redaction = StreamRedaction(redactor ?? self.redactor)
        return pieces.map { redaction.push($0) } + [redaction.finish()]
    }

    /// `text` cut at the given character offsets.
    func pieces(of text: String, cuts: [Int]) -> [String] {
        var result: [String] = []
        var start = text.startIndex
        for cut in cuts.sorted() {
            let end = text.index(text.startIndex, offsetBy: min(cut, text.count))
            guard end >= start else { continue }
            result.append(String(text[start..<end]))
            start = end
        }
        result.append(String(text[start...]))
        return result
    }

    func assertClean(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in [Self.key, Self.other] {
            #expect(!text.contains(secret), "\(text)", sourceLocation: sourceLocation)
            // No 8 consecutive characters of a key either.
            for offset in 0...(secret.count - 8) {
                let piece = String(secret.dropFirst(offset).prefix(8))
                #expect(!text.contains(piece), "'\(piece)' in \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aKeyInOneDeltaIsRedacted() {
        let output = stream(["Your key is ", Self.key, " and that is all."])
        assertClean(output.joined())
        #expect(output.joined() == "Your key is <redacted> and that is all.")
    }

    /// The key, inside a sentence, split in two at every offset, and in three at many pairs of offsets:
    /// the text passed on is always what redacting the whole text gives.
    @Test func aKeySplitOverDeltasIsRedactedWhereverItIsSplit() {
        let text = "Your key is \(Self.key) and the other is \(Self.other), thanks."
        let whole = redactor(text)
        #expect(whole == "Your key is <redacted> and the other is <redacted>, thanks.")
        for cut in 0...text.count {
            let output = stream(pieces(of: text, cuts: [cut]))
            assertClean(output.joined())
            #expect(output.joined() == whole, "cut at \(cut)")
        }
        for first in stride(from: 0, through: text.count, by: 3) {
            for second in stride(from: first, through: text.count, by: 4) {
                let output = stream(pieces(of: text, cuts: [first, second]))
                assertClean(output.joined())
                #expect(output.joined() == whole, "cuts at \(first), \(second)")
            }
        }
        // One character at a time.
        let output = stream(text.map(String.init))
        assertClean(output.joined())
        #expect(output.joined() == whole)
    }

    /// A partly masked echo (`sk-STREA****`) shares 8 characters with the key: the word is masked, as
    /// the whole-text redactor masks it.
    @Test func aPartialKeyIsMaskedWithItsWord() {
        let text = "Incorrect API key provided: sk-STREAMKEY-0b****SECRET. See your settings."
        #expect(stream(pieces(of: text, cuts: [35, 40])).joined() == redactor(text))
        assertClean(stream(pieces(of: text, cuts: [35, 40])).joined())
    }

    /// Text without spaces (a long word, a language written without them) is not held back whole:
    /// everything but its last *longest key − 1* bytes flows on. A key that appears in it later is
    /// still caught.
    @Test func textWithoutSpacesFlows() {
        let longest = Self.key.utf8.count
        var redaction = StreamRedaction(redactor)
        let word = String(repeating: "語", count: 40)  // 120 bytes, no spaces
        let first = redaction.push(word)
        #expect(!first.isEmpty)
        #expect(word.hasPrefix(first))
        #expect(word.utf8.count - first.utf8.count >= longest - 1)
        // The key glued to the word: held back until the word ends, then replaced.
        let second = redaction.push("x\(Self.key.prefix(20))")
        let third = redaction.push("\(Self.key.dropFirst(20))tail")
        #expect(second.isEmpty && third.isEmpty)
        let fourth = redaction.push(" next words")
        let rest = redaction.finish()
        let joined = first + second + third + fourth + rest
        assertClean(joined)
        #expect(joined == word + "x<redacted>tail next words")
    }

    /// A word with a key that never ends is not held back for ever: past the limit it is passed on as
    /// the mask, and dropped until the next space.
    @Test func anEndlessWordWithAKeyIsMaskedAndDropped() {
        var redaction = StreamRedaction(redactor)
        var output = redaction.push("before \(Self.key)")
        #expect(output == "before ")
        let filler = String(repeating: "z", count: 1000)
        for _ in 0..<5 { output += redaction.push(filler) }
        #expect(output == "before <redacted>")
        output += redaction.push(filler + " after")
        output += redaction.finish()
        assertClean(output)
        #expect(output == "before <redacted> after")
    }

    @Test func textWithoutSecretsIsUnchanged() {
        let text = "The quick brown fox jumps over the lazy dog, twice: once at dawn and once at dusk."
        for cut in stride(from: 0, through: text.count, by: 2) {
            #expect(stream(pieces(of: text, cuts: [cut, cut + 7])).joined() == text)
        }
        // Complete words are passed on at once.
        var redaction = StreamRedaction(redactor)
        #expect(redaction.push("The quick bro") == "The quick ")
    }

    @Test func withoutSecretsDeltasPassThrough() {
        var redaction = StreamRedaction(.none)
        #expect(redaction.push("sk-anything") == "sk-anything")
        #expect(redaction.finish() == "")
    }
}
