// cpp-peer: the gRPC C++ peer of `make bench`, on the callback API of Debian's
// gRPC 1.51. It serves grpc.health.v1.Health (the library's default health
// service) and summit.v1.LeaderService/GetLeader, which answers
// "leaders/vladimir-putin" with a Leader read once at start from --leader (the
// bytes summitd returns for that name), so both servers encode the same
// message on every call. Built by `make bench` only.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "summit/v1/leader.grpc.pb.h"

namespace {

class LeaderService final : public summit::v1::LeaderService::CallbackService {
 public:
  explicit LeaderService(summit::v1::Leader leader) : leader_(std::move(leader)) {}

  grpc::ServerUnaryReactor* GetLeader(grpc::CallbackServerContext* context,
                                      const summit::v1::GetLeaderRequest* request,
                                      summit::v1::Leader* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->name() != leader_.name()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "no leader " + request->name()));
    } else {
      *response = leader_;
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  const summit::v1::Leader leader_;
};

std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; i++) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string listen = flag(argc, argv, "--listen", "127.0.0.1:0");
  const std::string leader_path = flag(argc, argv, "--leader", "");
  summit::v1::Leader leader;
  if (!leader_path.empty()) {
    std::ifstream in(leader_path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (!in || !leader.ParseFromString(bytes.str())) {
      std::cerr << "cannot read a Leader from " << leader_path << "\n";
      return 2;
    }
  }
  grpc::EnableDefaultHealthCheckService(true);
  LeaderService service(leader);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 256);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "cannot listen on " << listen << "\n";
    return 2;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
