import pytest
import sympy as sp

from regcore.theory import ols_risk as m


def test_formula_values_by_hand():
    assert m.risk_formula(200) == pytest.approx(0.04 * (1 + 1 / 200) * (1 + 50 / 148), rel=1e-12)
    assert m.risk_formula(400) == pytest.approx(0.04 * (1 + 1 / 400) * (1 + 50 / 348), rel=1e-12)


def test_derivation_pieces():
    d = m.derive()
    n, p, sigma = d["symbols"]
    assert sp.simplify(d["spread"] - (1 + 1 / n)) == 0
    assert d["equal_to_textbook"]
    # large n: σ²(1 + (p + 1)/n + …)
    eps = sp.Symbol("epsilon", positive=True)
    assert sp.simplify(d["large_n"].coeff(eps, 1) - sigma ** 2 * (p + 1)) == 0
    # by hand: (1 + ε)(1 + pε/(1 − (p + 2)ε)) = 1 + (p + 1)ε + p(p + 3)ε² + O(ε³)
    expected = [sigma ** 2, sigma ** 2 * (p + 1), sigma ** 2 * p * (p + 3)]
    assert all(sp.simplify(got - want) == 0 for got, want in zip(d["large_n_terms"], expected))


@pytest.mark.parametrize("n", [200, 400])
def test_monte_carlo_and_baseline(n):
    c = m.check_monte_carlo(n)
    assert c.tolerance == m.TOL_MC_SIGMAS
    c.assert_ok()
    b = m.check_baseline(n, c.values["spread"])
    assert b.tolerance == m.TOL_BASELINE_SIGMAS
    b.assert_ok()


def test_bad_n():
    with pytest.raises(ValueError, match="n="):
        m.risk_formula(50)
