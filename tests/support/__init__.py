"""What the tests share: independent judges (oracle, referee), generators of specs and rows,
the repository's paths, the system programs some tests need, and the fuzz mode's scale."""
