/*
 * grpcload: a unary gRPC load generator on libnghttp2 that checks every call.
 *
 * h2load counts an HTTP 200 as success and cannot see trailers, so a gRPC
 * error (grpc-status != 0 in the trailers) would pass as a served call. This
 * client opens C connections with M concurrent streams each, sends the same
 * framed request on every stream, and for every response checks :status 200,
 * a grpc-status of 0 (in trailers, or in a trailers-only response) and that a
 * response message arrived. It records each call's latency, and, given
 * --server-pid, reads that process's CPU time (utime+stime from /proc/PID/stat)
 * at the start and the end of the measured window, so CPU per call covers the
 * window only, not warm-up or drain.
 *
 * One thread, epoll, non-blocking sockets; all bytes go through
 * nghttp2_session_mem_recv / mem_send. Output: one JSON object on stdout.
 *
 * With -S BYTES a call is server-streaming: once BYTES of response DATA have
 * arrived with no error status, the client cancels it (RST_STREAM CANCEL)
 * and counts it as OK; the payload rate is then the server's streaming rate.
 *
 * Usage: grpcload -a HOST -p PORT -P /pkg.Svc/Method [-x HEXBODY] [-c 16] [-m 32]
 *                 [-w WARMUP_S] [-d DURATION_S] [-s SERVER_PID] [-D DUMP_FILE] [-A COUNTER_ADDRESS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grpcload.h"

static struct config cfg;
static struct totals tot;
static int phase; /* PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

/* ---- per-stream state ---------------------------------------------------- */

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *user) {
  (void)s; (void)id; (void)src; (void)user;
  /* The whole framed request fits in one DATA frame (bodies are small). */
  size_t n = cfg.body_len < len ? cfg.body_len : len;
  memcpy(buf, cfg.body, n);
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static int submit_one(struct conn *c) {
  struct call *call = calloc(1, sizeof *call);
  if (!call) die("calloc");
  call->conn = c;
  call->start_ns = now_ns();
  call->phase = phase;
  nghttp2_data_provider prd = {.source.ptr = NULL, .read_callback = read_body};
  int32_t id = nghttp2_submit_request(c->session, NULL, cfg.nva, cfg.nvlen, &prd, call);
  if (id < 0) {
    fprintf(stderr, "submit_request: %s\n", nghttp2_strerror(id));
    free(call);
    return -1;
  }
  c->in_flight++;
  return 0;
}

/* Writes the first response's message (without its 5-byte prefix) to -D FILE. */
static void dump_message(const uint8_t *data, size_t len, uint64_t seen) {
  FILE *f = fopen(cfg.dump_path, seen ? "ab" : "wb");
  if (!f) die("dump file");
  size_t skip = seen >= 5 ? 0 : 5 - (size_t)seen;
  if (len > skip) fwrite(data + skip, 1, len - skip, f);
  fclose(f);
}

/* ---- nghttp2 callbacks --------------------------------------------------- */

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
  (void)flags; (void)user;
  if (f->hd.type != NGHTTP2_HEADERS) return 0;
  struct call *call = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
  if (!call) return 0;
  if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
    call->http_status = (valuelen == 3 && memcmp(value, "200", 3) == 0) ? 200 : -1;
  } else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
    int code = 0;
    for (size_t i = 0; i < valuelen; i++) code = code * 10 + (value[i] - '0');
    call->grpc_status = code;
    call->has_grpc_status = 1;
  }
  return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                         void *user) {
  (void)flags; (void)user;
  struct call *call = nghttp2_session_get_stream_user_data(s, id);
  if (!call) return 0;
  if (cfg.dump_path && id == 1) dump_message(data, len, call->body_bytes);
  call->body_bytes += len;
  if (cfg.stream_bytes && !call->cancelled && call->body_bytes >= cfg.stream_bytes) {
    call->cancelled = 1;
    nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }
  return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t error_code, void *user) {
  struct conn *c = user;
  struct call *call = nghttp2_session_get_stream_user_data(s, id);
  if (!call) return 0;
  uint64_t end = now_ns();
  int ok = error_code == 0 && call->http_status == 200 && call->has_grpc_status && call->grpc_status == 0 &&
           call->body_bytes >= 5;
  if (call->cancelled) /* a stream we ended after enough bytes: OK unless the server had reported an error */
    ok = call->http_status == 200 && !(call->has_grpc_status && call->grpc_status != 0);
  tot.checked++;
  if (!ok) {
    tot.failed++;
    if (call->has_grpc_status && call->grpc_status > 0 && call->grpc_status < 17) tot.by_status[call->grpc_status]++;
    else tot.by_status[0]++; /* reset, bad :status or no grpc-status at all */
  }
  if (call->phase == PHASE_MEASURE && phase == PHASE_MEASURE) {
    if (ok) {
      latency_add(&tot.latency, end - call->start_ns);
      tot.ok++;
      tot.payload_bytes += call->body_bytes;
    }
  }
  c->in_flight--;
  if (phase != PHASE_DRAIN) c->to_submit++;
  free(call);
  return 0;
}

static nghttp2_session_callbacks *make_callbacks(void) {
  nghttp2_session_callbacks *cbs;
  if (nghttp2_session_callbacks_new(&cbs) != 0) die("callbacks");
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  return cbs;
}

/* ---- connections --------------------------------------------------------- */

static void conn_open(struct conn *c, nghttp2_session_callbacks *cbs, int ep) {
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0) die("socket");
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
  if (inet_pton(AF_INET, cfg.host, &sa.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", cfg.host); exit(2); }
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) die("connect");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(c->fd, F_SETFL, O_NONBLOCK);
  if (nghttp2_session_client_new(&c->session, cbs, c) != 0) die("session");
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24},
  };
  nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, 2);
  nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, 1 << 26);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
  c->to_submit = cfg.streams;
}

/* Serialises everything nghttp2 wants to send and writes it; keeps a tail on EAGAIN. */
static int conn_flush(struct conn *c, int ep) {
  if (c->out_len == 0) {
    for (;;) {
      const uint8_t *data;
      ssize_t n = nghttp2_session_mem_send(c->session, &data);
      if (n < 0) { fprintf(stderr, "mem_send: %s\n", nghttp2_strerror((int)n)); return -1; }
      if (n == 0) break;
      if (c->out_len + (size_t)n > c->out_cap) {
        c->out_cap = (c->out_len + (size_t)n) * 2;
        c->out = realloc(c->out, c->out_cap);
        if (!c->out) die("realloc");
      }
      memcpy(c->out + c->out_len, data, (size_t)n);
      c->out_len += (size_t)n;
    }
  }
  while (c->out_off < c->out_len) {
    ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
    if (w < 0) {
      if (errno == EAGAIN) break;
      if (errno == EINTR) continue;
      return -1;
    }
    c->out_off += (size_t)w;
  }
  int want_out = c->out_off < c->out_len;
  if (!want_out) c->out_len = c->out_off = 0;
  if (want_out != c->want_out) {
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want_out;
  }
  return 0;
}

static int conn_submit_pending(struct conn *c) {
  while (c->to_submit > 0) {
    c->to_submit--;
    if (submit_one(c) != 0) return -1;
  }
  return 0;
}

static int conn_read(struct conn *c) {
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) return -1;
    ssize_t r = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
    if (r < 0) { fprintf(stderr, "mem_recv: %s\n", nghttp2_strerror((int)r)); return -1; }
    if ((size_t)n < sizeof buf) return 0;
  }
}

/* ---- main loop ------------------------------------------------------------ */

int main(int argc, char **argv) {
  parse_args(argc, argv, &cfg);
  latency_init(&tot.latency);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  nghttp2_session_callbacks *cbs = make_callbacks();
  struct conn *conns = calloc((size_t)cfg.conns, sizeof *conns);
  for (int i = 0; i < cfg.conns; i++) conn_open(&conns[i], cbs, ep);

  uint64_t t_start = now_ns();
  uint64_t t_measure = t_start + (uint64_t)(cfg.warmup_s * 1e9);
  uint64_t t_end = t_measure + (uint64_t)(cfg.duration_s * 1e9);
  uint64_t t_measure_real = 0, t_end_real = 0;
  struct cpu_sample cpu0 = {0}, cpu1 = {0};
  phase = cfg.warmup_s > 0 ? PHASE_WARMUP : PHASE_MEASURE;
  if (phase == PHASE_MEASURE) { t_measure_real = now_ns(); cpu0 = read_cpu(cfg.server_pid, cfg.alloc_addr); }
  int broken = 0;
  struct epoll_event events[256];

  for (int i = 0; i < cfg.conns; i++) {
    conn_submit_pending(&conns[i]);
    if (conn_flush(&conns[i], ep) != 0) broken++;
  }
  for (;;) {
    uint64_t t = now_ns();
    if (phase == PHASE_WARMUP && t >= t_measure) {
      phase = PHASE_MEASURE;
      t_measure_real = t;
      cpu0 = read_cpu(cfg.server_pid, cfg.alloc_addr);
    } else if (phase == PHASE_MEASURE && t >= t_end) {
      phase = PHASE_DRAIN;
      t_end_real = t;
      cpu1 = read_cpu(cfg.server_pid, cfg.alloc_addr);
      for (int i = 0; i < cfg.conns; i++) conns[i].to_submit = 0;
    }
    if (phase == PHASE_DRAIN) {
      int busy = 0;
      for (int i = 0; i < cfg.conns; i++) busy += conns[i].fd >= 0 && conns[i].in_flight > 0;
      if (!busy || t - t_end_real > 5000000000ull) break;
    }
    int n = epoll_wait(ep, events, 256, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c->fd < 0) continue;
      int bad = 0;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) bad = conn_read(c) != 0;
      if (!bad) bad = conn_submit_pending(c) != 0;
      if (!bad) bad = conn_flush(c, ep) != 0;
      if (bad) {
        tot.failed += (uint64_t)c->in_flight;
        tot.by_status[0] += (uint64_t)c->in_flight;
        c->in_flight = 0;
        close(c->fd);
        c->fd = -1;
        broken++;
      }
    }
  }
  for (int i = 0; i < cfg.conns; i++) {
    if (conns[i].fd >= 0) {
      tot.failed += (uint64_t)conns[i].in_flight; /* unanswered after the drain */
      tot.by_status[0] += (uint64_t)conns[i].in_flight;
      close(conns[i].fd);
    }
    nghttp2_session_del(conns[i].session);
    free(conns[i].out);
  }
  print_report(&cfg, &tot, t_end_real - t_measure_real, cpu0, cpu1, broken);
  return tot.failed == 0 && broken == 0 ? 0 : 1;
}
