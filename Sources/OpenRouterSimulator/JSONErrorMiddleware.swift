import Hummingbird
import Logging

/// Gives the errors no route answers itself the API's JSON error shape: Hummingbird's own
/// (no route: 404; a body too large: 413) and a state file the simulator could not write
/// (500, logged as an error: the change was not made).
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let message: String
            switch error.status {
            case .notFound: message = "no route \(request.method) \(request.uri.path)"
            case .contentTooLarge: message = "the request body is too large"
            default: message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            return SimulatorRoutes.response(.error(error.status.code, message))
        } catch let error as SimulatorError {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            return SimulatorRoutes.response(.error(500, error.description))
        }
    }
}
