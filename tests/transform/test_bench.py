from bench import transform as bench


def test_it_runs_the_benchmark_on_realistic_products_without_problems(capsys):
    assert bench.main(50) > 0
    output = capsys.readouterr().out
    assert "50 products in" in output and "(0 problems)" in output
