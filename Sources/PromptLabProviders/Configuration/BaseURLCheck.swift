/// Checks a provider's base URL before anything is sent, so that a URL no request could use is refused
/// when the configuration is read, with a message saying why, instead of failing (or trapping) inside the
/// HTTP stack on the first request.
///
/// Usable means: scheme `http` or `https`, a host, a port (when given) from 1 to 65535, no whitespace or
/// control characters, and no credentials. Credentials (`https://user:key@host`) are refused because the
/// URL is stored with the run (`runs.experiment_yaml`) and printed with the settings; keys are read only
/// from the environment.
public enum BaseURLCheck {
    /// What is wrong with a base URL.
    public enum Problem: Sendable, Hashable {
        /// Not `http://` or `https://`.
        case scheme
        /// No host after the scheme.
        case host
        /// A port that is not a number from 1 to 65535.
        case port(String)
        /// Whitespace or control characters.
        case characters
        /// `user:password@` before the host.
        case credentials

        /// One phrase saying what is wrong, never repeating the URL's credentials.
        public var message: String {
            switch self {
            case .scheme: "is not an http(s) URL"
            case .host: "has no host"
            case .port(let port): "has port \(port.isEmpty ? "(empty)" : port), which is not a port number from 1 to 65535"
            case .characters: "contains whitespace or control characters"
            case .credentials: "contains credentials (user:password@ before the host)"
            }
        }
    }

    /// The problem with `url` as a provider base URL, or `nil` when it is usable.
    public static func problem(with url: String) -> Problem? {
        if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return .characters
        }
        let lowered = url.lowercased()
        guard let schemeEnd = lowered.range(of: "://"), ["http", "https"].contains(lowered[..<schemeEnd.lowerBound]) else {
            return .scheme
        }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { return .credentials }
        // The host is everything up to the port's colon; an IPv6 address is bracketed and has colons inside.
        var host = Substring(authority)
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .host }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .host }
                port = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty, host != "[]" else { return .host }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(port),
                (1...65535).contains(number)
            else { return .port(String(port.prefix(20))) }
        }
        return nil
    }

    /// `url` with any credentials replaced by `<credentials>`, for messages.
    public static func redactingCredentials(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "<credentials>" + String(rest[at...])
    }
}
