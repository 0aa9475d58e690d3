import CSQLite
import Glibc

/// An exclusive claim on a database file by one serving process: an
/// advisory `flock` on a sibling file, `<database>-summitd.lock`, held open
/// for the store's life. The kernel drops it when the process ends, however
/// it ends (`kill -9` included), so a crash never leaves a stale claim.
///
/// Why a server claims its file: everything it knows about the store's
/// changes comes from its own writer (the live change feed, and the
/// generation that tells cached answers when they are stale). A second
/// server writing the same file would go unseen by the first one's
/// watchers and caches, so it is refused at start with a clear error.
/// Several processes sharing one database is what the PostgreSQL store is
/// for. A sibling file rather than the database itself: SQLite's own locks
/// on the database are POSIX record locks, and where `flock` is emulated
/// with those (NFS), the two would collide.
final class StoreFileLock: Sendable {
  private let descriptor: Int32

  /// Claims `databasePath`, or fails naming the process that holds it.
  init(databasePath: String) throws(SQLiteError) {
    let path = databasePath + "-summitd.lock"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let reason = errno == EWOULDBLOCK ? Self.holderDescription(fd) : String(cString: strerror(errno))
      close(fd)
      throw SQLiteError(
        code: SQLITE_BUSY,
        message: "\(databasePath) is in use by another summitd (\(reason)); one server per SQLite file, or share a PostgreSQL database")
    }
    // Who holds it, for the next one's error message.
    let pid = Array("pid \(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    descriptor = fd
  }

  deinit {
    close(descriptor)
  }

  /// What the holder wrote into the lock file ("pid 123"), if anything.
  private static func holderDescription(_ fd: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    let text = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").first : nil
    return text.map(String.init) ?? "it holds the lock"
  }
}
