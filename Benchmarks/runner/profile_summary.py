#!/usr/bin/env python3
"""Summarises a perf.data of summitd: share of samples by category, and the top symbols.

    profile_summary.py PERF_DATA [TOP]

Categories follow the issue's list of where Swift servers lose time (generic
metadata lookups, retain/release, malloc, task hops, kernel) plus the C
libraries Summit calls (nghttp2, protobuf-c, SQLite).
"""
import collections
import re
import subprocess
import sys

CATEGORIES = [
    ("kernel (syscalls, TCP, scheduling)", lambda dso, sym: dso.startswith("[kernel") or dso == "[vdso]"),
    ("Swift runtime: metadata, conformance and cast lookups", lambda dso, sym: re.search(
        r"swift_getGenericMetadata|swift_getTypeByMangledName|instantiateConcreteTypeFromMangledName|"
        r"swift_conformsToProtocol|swift_getWitnessTable|swift_getAssociated|swift_checkMetadataState|"
        r"swift_dynamicCast|swift_getExistential|MetadataCache|ConformanceCache|TypeMetadataAccessor|"
        r"swift_getForeignTypeMetadata|swift_getTupleTypeMetadata|swift_getFunctionTypeMetadata|"
        r"_getWitnessTable|__swift_instantiate|Ma$|WL$|Mn$|swift_get.*Metadata|^getCache$|CacheEntry|"
        r"Demangle::|Demangler", sym)),
    ("retain/release", lambda dso, sym: re.search(
        r"swift_(retain|release|bridgeObjectRetain|bridgeObjectRelease|unknownObjectRetain|unknownObjectRelease|"
        r"nonatomic_retain|nonatomic_release|isUniquelyReferenced)|_swift_release_|swift_weak|RefCounts<", sym)),
    ("exclusivity checks", lambda dso, sym: re.search(r"swift_beginAccess|swift_endAccess|AccessSet", sym)),
    ("malloc/free (incl. swift_allocObject)", lambda dso, sym: re.search(
        r"^(malloc|free|cfree|calloc|realloc|_int_malloc|_int_free|_int_realloc|malloc_consolidate|"
        r"posix_memalign|aligned_alloc|_mid_memalign|tcache_|__libc_malloc|__libc_free|unlink_chunk|"
        r"swift_allocObject|swift_deallocObject|swift_slowAlloc|swift_slowDealloc|swift_deallocClassInstance|"
        r"_int_memalign|arena_get|sysmalloc|swift_allocBox|swift_deallocBox)", sym)),
    ("Swift concurrency (tasks, jobs, continuations)", lambda dso, sym: re.search(
        r"swift_task_|swift_job|swift_continuation|swift_asyncLet|swift::AsyncTask|TaskGroup|"
        r"swift_taskGroup|DefaultActor|swift_defaultActor|swift_Concurrency|Concurrency|ScDf|ScD", sym)
        or "swift_Concurrency" in dso),
    ("Dispatch queues and blocks (thread hand-offs)", lambda dso, sym: "dispatch" in dso or "BlocksRuntime" in dso
        or re.match(r"_?dispatch_|_os_object", sym)),  # linked in statically: the symbol tells
    ("GRDB", lambda dso, sym: "4GRDB" in sym),
    ("nghttp2", lambda dso, sym: "nghttp2" in dso or sym.startswith("nghttp2_")),
    ("protobuf-c", lambda dso, sym: "protobuf-c" in dso or sym.startswith("protobuf_c_")),
    ("SQLite", lambda dso, sym: "sqlite" in dso or sym.startswith("sqlite3")),
    ("libc: memcpy, string, locks", lambda dso, sym: dso.startswith("libc") or dso.startswith("ld-linux")),
    ("SwiftNIO", lambda dso, sym: re.search(r"NIOCore|NIOPosix|7NIOCore|8NIOPosix|NIOConcurrency|CNIO", sym)),
    ("Summit code", lambda dso, sym: "Summit" in sym),
    ("Swift stdlib (collections, strings, hashing)", lambda dso, sym: re.search(r"^\$ss|^\$sS|swift_", sym)),
    ("Foundation", lambda dso, sym: "Foundation" in sym or "Foundation" in dso),
]


def samples(path):
    out = subprocess.run(["perf", "report", "-i", path, "--no-children", "--sort", "dso,symbol", "--stdio",
                          "-g", "none", "--percent-limit", "0"], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$", line)
        if m:
            # perf pads the symbol column and may add "-" columns after it.
            rows.append((float(m.group(1)), m.group(2), re.split(r"\s{2,}", m.group(3))[0].strip()))
    return rows


THREADS = {  # perf's comm (15 characters at most) -> what the thread is
    "NIO-ELT": "NIO event loop",
    "oot.default-qos": "Swift concurrency pool and the SQLite store's list reads (Dispatch root queue)",
    "-qos.overcommit": "Dispatch overcommit queue (the SQLite store's writer queue)",
}


def by_thread(path):
    out = subprocess.run(["perf", "report", "-i", path, "--no-children", "--sort", "comm", "--stdio", "-g", "none"],
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(.*\S)\s*$", line)
        if m:
            comm = m.group(2)
            name = next((v for k, v in THREADS.items() if comm.startswith(k)), comm)
            rows.append((float(m.group(1)), name))
    return rows


def demangle(names):
    out = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True,
                         text=True).stdout.splitlines()
    return out if len(out) == len(names) else names


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    rows = samples(path)
    by_category = collections.Counter()
    for pct, dso, sym in rows:
        for name, test in CATEGORIES:
            if test(dso, sym):
                by_category[name] += pct
                break
        else:
            by_category["other"] += pct
    print("| thread | share of CPU samples |")
    print("|---|---:|")
    for pct, name in by_thread(path):
        print(f"| {name} | {pct:.1f}% |")
    print()
    print("| category | share of CPU samples |")
    print("|---|---:|")
    for name, pct in by_category.most_common():
        print(f"| {name} | {pct:.1f}% |")
    print()
    print("| % | library | symbol |")
    print("|---:|---|---|")
    head = rows[:top]
    for (pct, dso, _), name in zip(head, demangle([s for _, _, s in head])):
        print(f"| {pct:.2f} | {dso} | `{name.strip()[:140].replace('|', '∣')}` |")


if __name__ == "__main__":
    main()
