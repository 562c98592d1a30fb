import Hummingbird
import NIOCore

/// The request context; it keeps the connection's channel so the `--drop-rate` fault can
/// close it without answering, as a crashed proxy would.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
