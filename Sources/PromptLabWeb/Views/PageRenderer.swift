import Foundation
import Mustache
import PromptLabCore

/// Renders the app's pages from the Mustache templates shipped in the module's resources.
///
/// Templates escape every `{{value}}` for HTML; the only unescaped values (`{{{…}}}`) are the
/// SVG charts, which ``SVGCharts`` builds and escapes itself. Templates are parsed once at start-up.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    /// Loads every template under `Resources/templates`.
    static func load() async throws -> PageRenderer {
        guard let folder = Bundle.module.url(forResource: "templates", withExtension: nil, subdirectory: "Resources")?.path else {
            throw PromptLabError(.failure, "the web app's templates are missing from this installation")
        }
        return PageRenderer(library: try await MustacheLibrary(directory: folder))
    }

    /// The page `template` with `context`; a missing template is a programming error caught by the tests,
    /// reported as a failure rather than a crash.
    func render(_ template: String, _ context: [String: Any]) throws -> String {
        guard let text = library.render(Self.removingAbsentValues(context) ?? [:], withTemplate: template) else {
            throw PromptLabError(.failure, "no page template named '\(template)'")
        }
        return text
    }
}

extension PageRenderer {
    /// The context without nil values: a dictionary hands Mustache `Optional.none` wrapped in `Any`,
    /// which a section would treat as present.
    static func removingAbsentValues(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return removingAbsentValues(wrapped)
        }
        if let dictionary = value as? [String: Any] {
            return dictionary.compactMapValues(removingAbsentValues)
        }
        if let array = value as? [[String: Any]] {
            return array.map { $0.compactMapValues(removingAbsentValues) }
        }
        if let array = value as? [Any] {
            return array.compactMap(removingAbsentValues)
        }
        return value
    }
}

/// The stylesheet and script, read once and served from memory.
struct StaticAssets: Sendable {
    let files: [String: (type: String, bytes: [UInt8])]

    static func load() throws -> StaticAssets {
        guard let folder = Bundle.module.url(forResource: "static", withExtension: nil, subdirectory: "Resources") else {
            throw PromptLabError(.failure, "the web app's static files are missing from this installation")
        }
        var files = [String: (type: String, bytes: [UInt8])]()
        for (name, type) in [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            files[name] = (type, [UInt8](data))
        }
        return StaticAssets(files: files)
    }

    /// A file's text, for the one-file HTML report, which inlines them.
    func text(_ name: String) -> String {
        files[name].map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
    }
}
