"""The benchmark (`make bench`): seeded databases, the production servers under wrk, and a table of results."""

# The post the figures are about: the seeding gives it BENCH_POST_COMMENTS threaded comments.
BENCH_POST = "bench-post"
BENCH_POST_COMMENTS = 12
