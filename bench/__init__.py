"""The benchmark (`make bench`): a seeded database, the production server under wrk, and a table of results."""
