import Hummingbird
import PromptLab
import PromptLabCore

extension WebApp {
    /// `stream: true` (being built: answered with 400 until the provider layer streams).
    func streamCompletion(_ call: GatewayService.Call, gateway: GatewayService, includeUsage: Bool) async throws -> Response {
        throw PromptLabError(.usage, "streaming is not available yet")
    }
}
