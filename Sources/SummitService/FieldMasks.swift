import SummitCodec

/// Update masks (AIP-134): the paths a request may name, and which of them
/// an update changes.
struct FieldMaskPolicy {
  /// Paths clients may update.
  let updatable: Set<String>
  /// Paths that exist but only the server sets.
  let outputOnly: Set<String>

  /// The paths to apply: all updatable ones for an empty mask.
  func paths(_ mask: Google_Protobuf_FieldMask?) throws -> Set<String> {
    guard let mask, !mask.paths.isEmpty else { return updatable }
    var violations: [ServiceErrors.Violation] = []
    for path in mask.paths {
      if outputOnly.contains(path) {
        violations.append(.init("update_mask", "\(path) is output only"))
      } else if !updatable.contains(path) {
        violations.append(.init("update_mask", "\(path) is not a field that can be updated"))
      }
    }
    if !violations.isEmpty { throw ServiceErrors.invalid(violations) }
    return Set(mask.paths)
  }
}
