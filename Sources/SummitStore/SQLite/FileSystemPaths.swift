import CSQLite
import Glibc

/// Directory creation for the store's file, with the C library (the store
/// does not link Foundation).
enum FileSystemPaths {
  /// Creates every missing directory above `path` (like `mkdir -p` of its
  /// parent); existing ones are left as they are.
  static func createParentDirectories(of path: String) throws(SQLiteError) {
    guard let slash = path.lastIndex(of: "/") else { return }
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path[..<slash].split(separator: "/") {
      prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create the directory \(prefix): \(String(cString: strerror(errno)))")
      }
    }
  }
}
