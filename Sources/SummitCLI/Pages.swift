/// A List call, and with `all` every following page appended to the first
/// response, the way `--all` (and `--denied-by`) need it.
func listPages<Request, Response, Item>(
  _ request: Request, pageToken: WritableKeyPath<Request, String>, nextPageToken: WritableKeyPath<Response, String>,
  items: WritableKeyPath<Response, [Item]>, all: Bool, _ list: (Request) async throws -> Response
) async throws -> Response {
  var request = request
  var response = try await list(request)
  while all && !response[keyPath: nextPageToken].isEmpty {
    request[keyPath: pageToken] = response[keyPath: nextPageToken]
    let next = try await list(request)
    response[keyPath: items] += next[keyPath: items]
    response[keyPath: nextPageToken] = next[keyPath: nextPageToken]
  }
  return response
}
