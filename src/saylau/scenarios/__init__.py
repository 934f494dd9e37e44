"""Synthetic elections: kz-2022 (the reference) and scaled ones for benchmarks."""
