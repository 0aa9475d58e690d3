public import SummitCodec

/// The methods that answer from a short read (microseconds on the embedded
/// store) and never wait at length: a transport may run them on the thread
/// that read the request (`RPCHandler.prefersEventLoop`). The point reads,
/// and ListVisits, whose pages are built from stored bytes (`EncodedPages`)
/// and whose reads that may scan at length (date ranges, two terms, pages
/// over 100) move to the global executor (`ListQuery.isShortRead`).
/// Other lists, resolves, writes and watches are not among them.
public enum QuickMethods {
  public static let all: Set<ProtoMethodDescriptor> = [
    Summit_V1_LeaderService.Method.GetLeader.descriptor,
    Summit_V1_VisitService.Method.GetVisit.descriptor,
    Summit_V1_AllegationService.Method.GetAllegation.descriptor,
    Summit_V1_VisitService.Method.ListVisits.descriptor,
  ]
}
