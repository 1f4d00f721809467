import HTTPTypes

/// The API's addresses and the methods each takes, so that another method gets 405 with an `Allow`
/// header (as HTTP asks) rather than the router's 404. Kept beside the routes; a test checks it
/// against the OpenAPI document.
enum APIRoutes {
    /// Path templates under `/api/v1`, `*` standing for one segment, with their methods.
    static let table: [(segments: [String], methods: [HTTPRequest.Method])] = [
        (["prompts"], [.get]),
        (["prompts", "*"], [.get]),
        (["prompts", "*", "log"], [.get]),
        (["prompts", "*", "diff"], [.get]),
        (["prompts", "*", "render"], [.post]),
        (["prompts", "*", "labels"], [.get, .post]),
        (["prompts", "*", "rollback"], [.post]),
        (["runs"], [.get]),
        (["runs", "*", "report"], [.get]),
        (["runs", "*", "cases"], [.get]),
        (["runs", "*", "cases", "*"], [.get]),
        (["runs", "*", "events"], [.get]),
        (["runs", "*", "progress"], [.get]),
        (["runs", "*", "review"], [.get, .post]),
        (["compare"], [.get]),
        (["experiments", "*", "history"], [.get]),
        (["openapi.json"], [.get]),
    ]

    /// The methods `path` takes, or nil when it is no API address.
    static func methods(for path: String) -> [HTTPRequest.Method]? {
        guard path.hasPrefix("/api/v1/") else { return nil }
        var segments = path.dropFirst("/api/v1/".count).split(separator: "/", omittingEmptySubsequences: false)
        // A prompt name may keep its slashes (`prompts/support/triage/log`): fold it into one segment.
        if segments.count > 2, segments[0] == "prompts" {
            let endpoints: Set<Substring> = ["log", "diff", "render", "labels", "rollback"]
            let last = segments[segments.count - 1]
            segments = endpoints.contains(last) ? ["prompts", "name", last] : ["prompts", "name"]
        }
        return table.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { $0 == "*" ? !$1.isEmpty : $0 == $1 }
        }?.methods
    }
}
