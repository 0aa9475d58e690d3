// goserver: the grpc-go peer of `make bench`. It serves grpc.health.v1.Health
// (the library's own health server) and summit.v1.LeaderService/GetLeader,
// which answers "leaders/vladimir-putin" with a Leader read once at start from
// --leader (the bytes summitd returns for that name), so both servers encode
// the same message on every call. Built by `make bench` only, from Debian's
// grpc-go 1.33 with GO111MODULE=off.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"os"

	"github.com/golang/protobuf/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	summitv1 "summitbench/summitv1"
)

type leaderServer struct {
	summitv1.UnimplementedLeaderServiceServer
	leader *summitv1.Leader
}

func (s *leaderServer) GetLeader(_ context.Context, req *summitv1.GetLeaderRequest) (*summitv1.Leader, error) {
	if req.GetName() != s.leader.GetName() {
		return nil, status.Errorf(codes.NotFound, "no leader %q", req.GetName())
	}
	return s.leader, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "HOST:PORT to serve on; port 0 picks a free port")
	leaderPath := flag.String("leader", "", "file holding a serialized summit.v1.Leader")
	flag.Parse()

	leader := &summitv1.Leader{}
	if *leaderPath != "" {
		data, err := ioutil.ReadFile(*leaderPath)
		if err != nil {
			log.Fatalf("read %s: %v", *leaderPath, err)
		}
		if err := proto.Unmarshal(data, leader); err != nil {
			log.Fatalf("decode %s: %v", *leaderPath, err)
		}
	}
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	server := grpc.NewServer(grpc.MaxConcurrentStreams(256))
	healthpb.RegisterHealthServer(server, health.NewServer())
	summitv1.RegisterLeaderServiceServer(server, &leaderServer{leader: leader})
	fmt.Printf("listening on %s\n", lis.Addr())
	os.Stdout.Sync()
	if err := server.Serve(lis); err != nil {
		log.Fatalf("serve: %v", err)
	}
}
