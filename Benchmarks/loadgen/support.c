/* grpcload: arguments, latency samples, server CPU readings and the JSON report. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grpcload.h"

#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE}

static void usage(void) {
  fprintf(stderr,
          "usage: grpcload -p PORT -P /pkg.Service/Method [options]\n"
          "  -a HOST      server address (default 127.0.0.1)\n"
          "  -x HEX       request message, protobuf bytes as hex (default: empty message)\n"
          "  -c CONNS     connections (default 16)\n"
          "  -m STREAMS   concurrent calls per connection (default 32)\n"
          "  -w SECONDS   warm-up, not measured (default 1)\n"
          "  -d SECONDS   measured window (default 5)\n"
          "  -s PID       server process: report its CPU time per call over the window\n"
          "  -A ADDRESS   with -s: its libmalloccount counter's address, to report allocations per call\n"
          "  -S BYTES     server-streaming: end each call (RST_STREAM CANCEL) after BYTES of response\n"
          "  -D FILE      write the first response's message to FILE\n"
          "Prints one JSON object; exits 1 if any call failed.\n");
  exit(2);
}

static uint8_t *from_hex(const char *hex, size_t *len) {
  size_t n = strlen(hex) / 2;
  uint8_t *out = malloc(n + 5);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) usage();
    out[5 + i] = (uint8_t)v;
  }
  *len = n;
  return out;
}

void parse_args(int argc, char **argv, struct config *cfg) {
  cfg->host = "127.0.0.1";
  cfg->conns = 16;
  cfg->streams = 32;
  cfg->warmup_s = 1;
  cfg->duration_s = 5;
  const char *hex = "";
  int opt;
  while ((opt = getopt(argc, argv, "a:p:P:x:c:m:w:d:s:D:A:S:")) != -1) {
    switch (opt) {
    case 'a': cfg->host = optarg; break;
    case 'p': cfg->port = atoi(optarg); break;
    case 'P': cfg->path = optarg; break;
    case 'x': hex = optarg; break;
    case 'c': cfg->conns = atoi(optarg); break;
    case 'm': cfg->streams = atoi(optarg); break;
    case 'w': cfg->warmup_s = atof(optarg); break;
    case 'd': cfg->duration_s = atof(optarg); break;
    case 's': cfg->server_pid = (pid_t)atoi(optarg); break;
    case 'D': cfg->dump_path = optarg; break;
    case 'A': cfg->alloc_addr = strtoull(optarg, NULL, 0); break;
    case 'S': cfg->stream_bytes = strtoull(optarg, NULL, 0); break;
    default: usage();
    }
  }
  if (!cfg->port || !cfg->path || cfg->conns < 1 || cfg->streams < 1) usage();
  size_t n;
  cfg->body = from_hex(hex, &n);
  cfg->body[0] = 0; /* not compressed */
  cfg->body[1] = (uint8_t)(n >> 24);
  cfg->body[2] = (uint8_t)(n >> 16);
  cfg->body[3] = (uint8_t)(n >> 8);
  cfg->body[4] = (uint8_t)n;
  cfg->body_len = n + 5;
  nghttp2_nv nva[] = {
      NV(":method", "POST"), NV(":scheme", "http"), NV(":path", cfg->path),
      NV(":authority", cfg->host), NV("content-type", "application/grpc"), NV("te", "trailers"),
  };
  memcpy(cfg->nva, nva, sizeof nva);
  cfg->nvlen = 6;
}

void latency_init(struct latencies *l) {
  l->cap = 1 << 20;
  l->n = 0;
  l->v = malloc(l->cap * sizeof *l->v);
}

void latency_add(struct latencies *l, uint64_t ns) {
  if (l->n == l->cap) {
    l->cap *= 2;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    if (!l->v) { perror("realloc"); exit(2); }
  }
  l->v[l->n++] = ns;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct_us(const struct latencies *l, double p) {
  if (l->n == 0) return 0;
  size_t i = (size_t)(p / 100.0 * (double)(l->n - 1) + 0.5);
  return (double)l->v[i] / 1000.0;
}

struct cpu_sample read_cpu(pid_t pid, uint64_t alloc_addr) {
  struct cpu_sample s = {0, 0, -1};
  if (pid <= 0) return s;
  char path[64], buf[1024];
  if (alloc_addr) {
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY);
    uint64_t v;
    if (fd >= 0 && pread(fd, &v, sizeof v, (off_t)alloc_addr) == (ssize_t)sizeof v) s.allocs = (long long)v;
    if (fd >= 0) close(fd);
  }
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (f) {
    if (fgets(buf, sizeof buf, f)) {
      /* Field 2 (comm) may hold spaces: count fields after its closing paren. */
      char *p = strrchr(buf, ')');
      unsigned long long ut = 0, st = 0;
      if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
        s.ticks = (long long)(ut + st);
    }
    fclose(f);
  }
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char tpath[300];
      snprintf(tpath, sizeof tpath, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
      FILE *tf = fopen(tpath, "r");
      if (!tf) continue;
      long long run = 0;
      if (fscanf(tf, "%lld", &run) == 1) s.ns += run;
      fclose(tf);
    }
    closedir(d);
  }
  return s;
}

void print_report(const struct config *cfg, struct totals *t, uint64_t window_ns, struct cpu_sample c0,
                  struct cpu_sample c1, int broken) {
  qsort(t->latency.v, t->latency.n, sizeof *t->latency.v, cmp_u64);
  double secs = (double)window_ns / 1e9;
  double hz = (double)sysconf(_SC_CLK_TCK);
  double cpu_ticks_s = (double)(c1.ticks - c0.ticks) / hz;
  double cpu_sched_s = (double)(c1.ns - c0.ns) / 1e9;
  double per_call = t->ok ? 1e6 / (double)t->ok : 0;
  printf("{\"path\": \"%s\", \"conns\": %d, \"streams\": %d, \"seconds\": %.3f, \"ok\": %llu, \"failed\": %llu, "
         "\"checked\": %llu, \"broken_connections\": %d, \"calls_per_s\": %.1f, \"payload_mb_per_s\": %.2f, "
         "\"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, "
         "\"server_cpu_s\": %.3f, \"server_cpu_sched_s\": %.4f, \"server_cpu_us_per_call\": %.2f, "
         "\"server_cpu_sched_us_per_call\": %.2f, \"server_allocs_per_call\": %.2f, \"failures_by_status\": [",
         cfg->path, cfg->conns, cfg->streams, secs, (unsigned long long)t->ok, (unsigned long long)t->failed,
         (unsigned long long)t->checked, broken, secs > 0 ? (double)t->ok / secs : 0,
         secs > 0 ? (double)t->payload_bytes / secs / 1e6 : 0, pct_us(&t->latency, 50), pct_us(&t->latency, 90),
         pct_us(&t->latency, 99), pct_us(&t->latency, 100), cpu_ticks_s, cpu_sched_s, cpu_ticks_s * per_call,
         cpu_sched_s * per_call,
         c0.allocs >= 0 && c1.allocs >= 0 && t->ok ? (double)(c1.allocs - c0.allocs) / (double)t->ok : -1.0);
  for (int i = 0; i < 17; i++) printf("%s%llu", i ? ", " : "", (unsigned long long)t->by_status[i]);
  printf("]}\n");
}
