public import SummitCodec

/// The methods that answer from one point read by primary key (microseconds
/// on the embedded store) and never wait at length: a transport may run them
/// on the thread that read the request (`RPCHandler.prefersEventLoop`).
/// Lists, resolves, writes and watches are not among them.
public enum QuickMethods {
  public static let all: Set<ProtoMethodDescriptor> = [
    Summit_V1_LeaderService.Method.GetLeader.descriptor,
    Summit_V1_VisitService.Method.GetVisit.descriptor,
    Summit_V1_AllegationService.Method.GetAllegation.descriptor,
  ]
}
