import PromptFormat
import PromptLabCore

extension FuzzTarget {
    /// Prompt bodies that include each other: the input is split at NUL bytes
    /// into `p0` (rendered), `p1`, `p2`, ..., each a prompt file the others can
    /// include as a partial (`{{> p1}}`, `{{> p2 name=list}}`), so the Handlebars
    /// parser, Dotprompt's helpers, cycles and deep nesting across partials are reached.
    public static let template = FuzzTarget(
        name: "template", summary: "prompt bodies including each other as partials: parse, check, render"
    ) { bytes in
        let parts = bytes.split(separator: 0, maxSplits: 7, omittingEmptySubsequences: false)
        var files = [PromptName: PromptFile]()
        for (index, part) in parts.enumerated() {
            guard let name = try? PromptName("p\(index)"),
                let file = try? PromptFile.parse(Array(part), name: name, displayPath: "p\(index).prompt")
            else { continue }
            files[name] = file
        }
        let prompts = files
        guard let root = prompts[try! PromptName("p0")] else { return }  // "p0" is a valid name.
        let lookup: (PromptName) throws(PromptLabError) -> PromptFile? = { prompts[$0] }
        try? TemplateCheck(partials: lookup, knownNames: prompts.keys.map(\.rawValue)).check(root)
        _ = try? PromptRenderer(partials: lookup).render(root, variables: FuzzTarget.sampleVariables)
        _ = try? TemplateClosure.collect(root.name, bytes: root.bytes) { prompts[$0]?.bytes }
    }
}
