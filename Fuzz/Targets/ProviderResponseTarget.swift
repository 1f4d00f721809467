import Foundation
import NIOCore
import NIOHTTP1
import PromptLabProviders

extension FuzzTarget {
    /// A provider's HTTP response, as the vendor readers and the retry policy see it.
    ///
    /// Input layout: the first byte picks the vendor (OpenAI, Anthropic, Gemini), the second the HTTP
    /// status; then `name: value` header lines up to a blank line, then the body. The retry policy reads
    /// the same headers, so absurd `retry-after` values are fuzzed too.
    public static let providerResponse = FuzzTarget(
        name: "provider-response", summary: "an OpenAI, Anthropic or Gemini HTTP response (status, headers, body)"
    ) { bytes in
        guard bytes.count >= 2 else { return }
        let statuses = [200, 200, 200, 201, 204, 400, 401, 403, 404, 408, 409, 429, 500, 503, 529, 599, 0, 999]
        let status = statuses[Int(bytes[1]) % statuses.count]
        var rest = bytes[2...]
        var headers = HTTPHeaders()
        if let blank = rest.indices.first(where: { rest[$0] == 10 && $0 + 1 < rest.endIndex && rest[$0 + 1] == 10 }) {
            for line in String(decoding: rest[..<blank], as: UTF8.self).split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                // Only what an HTTP parser hands over: a header name is a token of visible ASCII.
                guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else { continue }
                headers.add(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            rest = rest[(blank + 2)...]
        }
        let body = ByteBuffer(bytes: rest)
        switch bytes[0] % 3 {
        case 0: _ = try? OpenAIProvider.interpretResponse(status: status, headers: headers, body: body)
        case 1: _ = try? AnthropicProvider.interpretResponse(status: status, headers: headers, body: body)
        default: _ = try? GeminiProvider.interpretResponse(status: status, headers: headers, body: body)
        }
        _ = RetryPolicy.serverDelay(from: headers)
    }
}
