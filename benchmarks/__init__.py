"""rekseg's benchmarks: reports with targets, run by ``python -m benchmarks`` (the ``bench`` nox session).

Every ``bench_*.py`` module in this package exposes ``run(quick: bool | None = None) -> list[Result]``; see
``benchmarks/README.md``.
"""
