/* grpcload: shared types of the load generator (see grpcload.c). */
#ifndef GRPCLOAD_H
#define GRPCLOAD_H

#include <nghttp2/nghttp2.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN };

struct config {
  const char *host;
  int port;
  const char *path;
  int conns;
  int streams;
  double warmup_s;
  double duration_s;
  pid_t server_pid;
  const char *dump_path; /* -D: write the first response message here */
  uint64_t alloc_addr;   /* -A: address of the server's libmalloccount counter */
  uint64_t stream_bytes; /* -S: server-streaming: a call is done (and cancelled) after this many bytes */
  uint8_t *body; /* the framed request: 5-byte prefix + message */
  size_t body_len;
  nghttp2_nv nva[6];
  size_t nvlen;
};

/* Every latency of the measured window, in nanoseconds, sorted at the end. */
struct latencies {
  uint64_t *v;
  size_t n, cap;
};

struct totals {
  uint64_t ok, failed, checked, payload_bytes;
  uint64_t by_status[17]; /* [0]: reset or no grpc-status; [k]: grpc-status k */
  struct latencies latency;
};

struct cpu_sample {
  long long ticks; /* utime + stime of the whole process, in clock ticks */
  long long ns;    /* sum of every thread's run time from /proc/PID/task/x/schedstat */
  long long allocs; /* the server's malloccount_total, when -A gives its address; else -1 */
};

struct conn {
  int fd;
  nghttp2_session *session;
  int in_flight, to_submit, want_out;
  uint8_t *out;
  size_t out_len, out_off, out_cap;
};

struct call {
  struct conn *conn;
  uint64_t start_ns;
  uint64_t body_bytes;
  int phase, http_status, grpc_status, has_grpc_status, cancelled;
};

void parse_args(int argc, char **argv, struct config *cfg);
void latency_init(struct latencies *l);
void latency_add(struct latencies *l, uint64_t ns);
struct cpu_sample read_cpu(pid_t pid, uint64_t alloc_addr);
void print_report(const struct config *cfg, struct totals *t, uint64_t window_ns, struct cpu_sample c0,
                  struct cpu_sample c1, int broken);

#endif
