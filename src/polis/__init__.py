import os

# Polars allocates through its own jemalloc, which by default keeps freed pages for 10 s: a
# registry read block after block would hold on to every block it has freed. Keep them 0.1 s
# (handing each page back at once costs a page fault per page of every block: a second of
# system time on a million lines), in one arena for all threads, so that what one thread frees
# another reuses (docs/benchmarks.md).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0,narenas:1")
