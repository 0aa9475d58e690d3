// summitd: the Summit gRPC server.
import ArgumentParser
import CMalloc
import CoreMetrics
import Dispatch
import FoundationEssentials
import Logging
import SummitAPI
import SummitServerRuntime
import SummitRPC
import SummitService
import SummitStore
import Synchronization

@main
struct Summitd: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "summitd",
    abstract: "Serve Summit's record of leaders, visits and allegations over gRPC.",
    discussion: """
      Keeps its records in an embedded SQLite file (WAL, synchronous=FULL: an
      acknowledged write survives kill -9 and power loss), or, with
      --db postgres://…, in PostgreSQL, where several summitd replicas share one
      database (their Watch* streams, idempotency, etags and page tokens too).
      An empty store is seeded with the facts of the report Summit ships with,
      unless --no-seed; replicas starting together seed it once.

      Prints `listening on HOST:PORT` on one line once it accepts connections.
      SIGTERM or SIGINT sends GOAWAY, lets calls finish for --drain-timeout, then exits 0.

      Examples:
        summitd                                     # 127.0.0.1:50051, ./data/summit.db
        summitd --listen 0.0.0.0:50051 --db /var/lib/summit/summit.db
        summitd --db postgres://summit@db.internal:5432/summit?sslmode=require
        SUMMIT_LISTEN=127.0.0.1:0 summitd --no-seed  # a free port, an empty store
      """)

  @OptionGroup var server: ServerOptions

  @Option(help: "SQLite database file, or a postgres:// URL. [env: SUMMIT_DB] (default: data/summit.db)")
  var db: String?

  @Option(help: "Largest size of the database file in bytes; writes past it get RESOURCE_EXHAUSTED. [env: SUMMIT_MAX_DB_SIZE]")
  var maxDbSize: Int64?

  @Option(
    help: ArgumentHelp(
      "Bytes of read answers (Get*, short ListVisits pages) kept until the next write; 0 turns it off. SQLite store only. [env: SUMMIT_RESPONSE_CACHE_SIZE] (default: 16777216)",
      valueName: "bytes"))
  var responseCacheSize: Int?

  @Flag(help: "Do not seed an empty store with the report's facts.")
  var noSeed = false

  @Option(help: "Seed file (proto3 JSON of summit.v1 resources). [env: SUMMIT_SEED_FILE] (default: the bundled seed)")
  var seedFile: String?

  @Option(
    help: ArgumentHelp(
      "Copy this SQLite file's records, change log and idempotency keys into the empty PostgreSQL --db, then exit.",
      valueName: "sqlite-file"))
  var importSqlite: String?

  // A synchronous command whose main thread waits for the server task, not an
  // AsyncParsableCommand: an async main ends its main thread in
  // dispatch_main(), whose pthread_exit unwinds that thread's stack with
  // libgcc's unwinder, which searches .eh_frame_hdr and reads .eh_frame for
  // every frame, code and tables an idle server never needs otherwise: 1.5 MB
  // of its RSS (BENCHMARKS.md, Idle memory).
  func run() throws {
    // `ServerOptions` is not Sendable; this copy is handed to the one task
    // and not touched again on this thread.
    nonisolated(unsafe) let command = self
    let outcome = Outcome()
    Task {
      do {
        try await command.serve()
      } catch {
        outcome.failure.withLock { $0 = error }
      }
      outcome.done.signal()
    }
    outcome.done.wait()
    if let error = outcome.failure.withLock({ $0 }) { throw error }
  }

  /// How `serve()` ended, for the blocked main thread.
  private final class Outcome: Sendable {
    let done = DispatchSemaphore(value: 0)
    let failure = Mutex<(any Error)?>(nil)
  }

  func serve() async throws {
    let environment = ProcessInfo.processInfo.environment
    let path = db ?? environment["SUMMIT_DB"] ?? "data/summit.db"
    let seedPath = seedFile ?? environment["SUMMIT_SEED_FILE"]
    let seed = !noSeed
    let maxSize = try maxDbSize ?? ServerOptions.wholeNumber(environment, "SUMMIT_MAX_DB_SIZE").map { Int64($0) }
    let isPostgres = PostgresStore.accepts(path)
    if isPostgres, maxSize != nil {
      throw ValidationError("--max-db-size applies to the SQLite file only; limit a PostgreSQL database on its server")
    }
    let cacheSize = try responseCacheSize ?? ServerOptions.wholeNumber(environment, "SUMMIT_RESPONSE_CACHE_SIZE")
    if let cacheSize, cacheSize < 0 { throw ValidationError("--response-cache-size must be 0 or more bytes") }
    if isPostgres, let cacheSize, cacheSize > 0 {
      throw ValidationError("--response-cache-size applies to the SQLite store only (replicas cannot see each other's writes in time)")
    }
    let shown = isPostgres ? Self.redacted(path) : path
    if let importSqlite {
      try Self.importSQLite(importSqlite, into: path, shown: shown, isPostgres: isPostgres)
      return
    }
    try await ServerRunner.run(name: "summitd", options: server) { logger in
      let store: any ResourceStore
      var readiness: AsyncStream<Bool>?
      do {
        if isPostgres {
          let postgres = try PostgresStore(url: path)
          readiness = postgres.availability()
          store = postgres
        } else {
          store = try SQLiteStore(path: path, maxSizeBytes: maxSize, exclusive: true)
        }
      } catch {
        logger.critical("cannot open the database", metadata: ["path": "\(shown)", "error": "\(error)"])
        throw ExitCode(71)
      }
      if seed {
        let text: String
        if let seedPath {
          guard let data = FileManager.default.contents(atPath: seedPath) else {
            throw ValidationError("cannot read the seed file \(seedPath)")
          }
          text = String(decoding: data, as: UTF8.self)
        } else {
          text = Seeder.bundledSeed
        }
        if let summary = try await Seeder.seedIfEmpty(store, seed: text) {
          logger.info(
            "seeded an empty store",
            metadata: [
              "path": "\(shown)", "leaders": "\(summary.leaders)", "visits": "\(summary.visits)",
              "allegations": "\(summary.allegations)",
            ])
          // Decoding the seed's JSON left megabytes of freed heap behind; a
          // server that idles from here on should not keep them.
          malloc_trim(0)
        }
      }
      // Point reads may run on the event loop (QuickMethods); they and
      // ListVisits are answered from stored bytes (`servedHandlers`).
      var handlers =
        (LeaderServiceImpl(store: store).servedHandlers + VisitServiceImpl(store: store).servedHandlers
        + AllegationServiceImpl(store: store).servedHandlers).preferringEventLoop(for: QuickMethods.all)
      // Their immediate answers are kept until the next commit (the store
      // holds its file alone, so every commit is its own).
      if let reads = store as? any ImmediateReads, (cacheSize ?? Self.defaultResponseCacheSize) > 0 {
        let hits = Counter(label: "summit_response_cache_lookups_total", dimensions: [("result", "hit")])
        let misses = Counter(label: "summit_response_cache_lookups_total", dimensions: [("result", "miss")])
        let cache = AnswerCache(budget: cacheSize ?? Self.defaultResponseCacheSize, generation: { reads.generation }) { hit in
          (hit ? hits : misses).increment()
        }
        handlers = handlers.map { QuickMethods.all.contains($0.method) ? $0.cachingImmediateAnswers(in: cache) : $0 }
      }
      return ServerParts(handlers: handlers, readiness: readiness)
    }
  }

  static let defaultResponseCacheSize = 16 << 20

  /// `--import-sqlite`: one instance's data into the database replicas share.
  static func importSQLite(_ file: String, into url: String, shown: String, isPostgres: Bool) throws {
    guard isPostgres else { throw ValidationError("--import-sqlite needs --db postgres://… (the database to fill)") }
    guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("--import-sqlite: no file at \(file)") }
    do {
      let summary = try PostgresStore.importing(from: try SQLiteStore(path: file), into: url)
      print("imported \(summary) from \(file) into \(shown)")
    } catch {
      StandardStreams.write("summitd: import failed: \(error)\n", to: .standardError)
      throw ExitCode(71)
    }
  }

  /// A database URL fit for logs: the password, if any, replaced by `***`.
  static func redacted(_ url: String) -> String {
    guard var components = URLComponents(string: url), components.password != nil else { return url }
    components.password = "***"
    return components.string ?? "postgres://***"
  }
}
