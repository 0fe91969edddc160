"""A Django site for benchmarks: the whole project plus a bare endpoint to compare with."""
