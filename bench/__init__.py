"""The scale benchmark: `python -m bench` writes `bench/RESULTS.md`; `python -m bench.<name>`
runs one part (the corpus, the floor, the parser's throughput) on its own."""
