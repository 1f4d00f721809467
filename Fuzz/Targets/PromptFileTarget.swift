import PromptFormat

extension FuzzTarget {
    /// A whole `.prompt` file: front matter, template, the commit-time checks and a render.
    public static let promptFile = FuzzTarget(
        name: "prompt-file", summary: "a .prompt file: parse, commit checks, render"
    ) { bytes in
        guard let name = try? PromptName("fuzz/prompt"),
            let file = try? PromptFile.parse(bytes, name: name, displayPath: "fuzz/prompt.prompt")
        else { return }
        try? TemplateCheck(partials: { _ in nil }, knownNames: []).check(file)
        _ = try? PromptRenderer(partials: { _ in nil }).render(file, variables: FuzzTarget.sampleVariables)
    }

    /// Variables of every shape, so sections, lists and objects all render.
    static let sampleVariables: [String: PromptValue] = [
        "a": .string("text"), "n": .int(3), "x": .double(0.5), "flag": .bool(true), "none": .null,
        "list": .array([.string("one"), .int(2), .object([("k", .string("v"))])]),
        "obj": .object([("k", .string("v")), ("nested", .object([("deep", .array([]))]))]),
    ]
}
