import os

# Polars allocates through its own jemalloc, which by default keeps freed pages for 10 s: a
# registry read chunk after chunk would hold on to every chunk it has freed. Give them back at once.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
