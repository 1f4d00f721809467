import Testing

@testable import PromptLabProviders

@Suite("Local providers")
struct LocalProviderTests {
    // A tiny hand-made support-ticket set. The few-shot examples and the test tickets are different
    // tickets; they share vocabulary only as real tickets of the same kind do.
    static let labels = ["billing", "technical", "shipping", "general"]

    static let examples: [(String, String)] = [
        ("I was charged twice for my subscription this month", "billing"),
        ("Please send me a refund, the invoice amount is wrong", "billing"),
        ("The app crashes every time I open the settings page", "technical"),
        ("I get an error message when I try to log in", "technical"),
        ("My package has not arrived and the tracking number shows nothing", "shipping"),
        ("The delivery was late and the box was damaged", "shipping"),
        ("What are your opening hours on weekends", "general"),
        ("Do you have an office in Berlin I could visit", "general"),
    ]

    static let tickets: [(String, String)] = [
        ("Why was my card charged again after I cancelled", "billing"),
        ("I need a copy of last month's invoice for my records", "billing"),
        ("I want a refund for the duplicate payment", "billing"),
        ("The app shows an error and crashes on startup", "technical"),
        ("Cannot log in since the update, error 500", "technical"),
        ("The settings page is blank and the app freezes", "technical"),
        ("Where is my package? The tracking number has not updated", "shipping"),
        ("Delivery is two weeks late", "shipping"),
        ("The box arrived damaged and the item is broken", "shipping"),
        ("Are you open on public holidays? What are the hours", "general"),
        ("Is there an office near Munich I can visit", "general"),
        ("Who do I talk to about a partnership with your office", "general"),
    ]

    static let instructions = "Classify the support ticket as one of: billing, technical, shipping, general. Answer with the label only."

    func zeroShot(_ ticket: String) -> [ChatMessage] {
        [.system(Self.instructions), .user(ticket)]
    }

    func fewShot(_ ticket: String) -> [ChatMessage] {
        var messages: [ChatMessage] = [.system(Self.instructions)]
        for (text, label) in Self.examples {
            messages.append(.user(text))
            messages.append(.assistant(label))
        }
        messages.append(.user(ticket))
        return messages
    }

    func accuracy(_ render: ([ChatMessage]) async throws -> String, prompt: (String) -> [ChatMessage]) async throws -> Double {
        var correct = 0
        for (ticket, label) in Self.tickets where try await render(prompt(ticket)) == label {
            correct += 1
        }
        return Double(correct) / Double(Self.tickets.count)
    }

    @Test func relevantFewShotExamplesBeatZeroShot() async throws {
        let provider = LocalProvider()
        let answer: ([ChatMessage]) async throws -> String = { try await provider.send(ChatRequest(model: "baseline", messages: $0)).text }
        let zero = try await accuracy(answer, prompt: zeroShot)
        let few = try await accuracy(answer, prompt: fewShot)
        #expect(few > zero, "few-shot \(few) should beat zero-shot \(zero)")
        #expect(few >= 0.75)
        // Every answer is one of the labels.
        for (ticket, _) in Self.tickets {
            #expect(Self.labels.contains(try await answer(zeroShot(ticket))))
        }
    }

    @Test func nearestLabelEvidenceWinsAndTiesGoToTheEarliest() {
        let messages: [ChatMessage] = [
            .user("red apple"), .assistant("fruit-a"),
            .user("red apple"), .assistant("fruit-b"),
            .user("blue car"), .assistant("vehicle"),
            .user("a red apple please"),
        ]
        #expect(BaselineClassifier.decide(messages) == .init(answer: "fruit-a", method: .nearestCentroid))
        let car = Array(messages.dropLast()) + [.user("my car is blue")]
        #expect(BaselineClassifier.decide(car).answer == "vehicle")
        // Nothing in common with any example and no label list: the earliest label wins the all-zero tie.
        let unrelated = Array(messages.dropLast()) + [.user("zebra")]
        #expect(BaselineClassifier.decide(unrelated).answer == "fruit-a")
    }

    @Test func describedLabelsAreMatchedByOverlap() async throws {
        let system = """
            Route the message to a team. Labels:
            - billing: payments, invoices, refunds, charges on a card
            - technical: crashes, errors, bugs, login problems
            - shipping: delivery, packages, tracking, couriers
            Reply with the label only.
            """
        let provider = LocalProvider()
        func label(_ text: String) async throws -> String {
            try await provider.send(ChatRequest(model: "baseline", messages: [.system(system), .user(text)])).text
        }
        #expect(try await label("My card was charged twice") == "billing")
        #expect(try await label("The courier lost my package") == "shipping")
        #expect(try await label("Login fails with an error") == "technical")
    }

    @Test func labelsInTheUserMessageItself() {
        let prompt = """
            Which category fits this review? Choose one of: positive, negative, neutral.
            Review: the food was great but the service was slow
            """
        let decision = BaselineClassifier.decide([.user(prompt)])
        #expect(decision.method == .nearestCentroid)
        #expect(["positive", "negative", "neutral"].contains(decision.answer))
        let labels = BaselineClassifier.namedLabels(in: prompt).labels.map(\.name)
        #expect(labels == ["positive", "negative", "neutral"])
        let bullets = BaselineClassifier.namedLabels(in: "Categories:\n- sports\n- politics\n\n- Be concise").labels.map(\.name)
        #expect(bullets == ["sports", "politics"])
    }

    @Test func withoutLabelsOrExamplesItEchoesDeterministically() async throws {
        let provider = LocalProvider()
        let request = ChatRequest(model: "baseline", messages: [.system("You are helpful."), .user("Tell me a joke\nabout cats")])
        let first = try await provider.send(request)
        let second = try await provider.send(request)
        #expect(first.text == "Tell me a joke")
        #expect(first.text == second.text)
        #expect(first.inputTokens == 9)
        #expect(first.outputTokens == 4)
        #expect(first.finishReason == "stop")
        #expect(first.attempts == 1)
        #expect(first.latencySeconds >= 0)
    }

    @Test func baselineNeedsAUserMessage() async {
        let error = await providerError { try await LocalProvider().send(ChatRequest(model: "baseline", messages: [.system("x")])) }
        #expect(error?.isRetryable == false)
    }

    @Test func echoReturnsTheLastUserMessage() async throws {
        let response = try await EchoProvider().send(
            ChatRequest(model: "echo", messages: [.user("first"), .assistant("x"), .user("second message")]))
        #expect(response.text == "second message")
        #expect(response.outputTokens == 2)
        #expect(response.inputTokens == 4)
    }

    @Test func stemming() {
        #expect(Set(["charge", "charged", "charges", "charging"].map(BagOfWords.stem)).count == 1)
        #expect(Set(["ship", "shipped", "shipping", "ships"].map(BagOfWords.stem)).count == 1)
        #expect(BagOfWords.stem("billing") == "bill")
        #expect(BagOfWords.terms("The App CRASHED, again!") == ["app", "crash", "again"])
    }
}
