import torch

from regcore.penalties import add_penalty_gradient_, l1_penalty, l2_penalty


def add_penalty_gradients(params, l2=0.0, l1=0.0):
    for p in params:
        add_penalty_gradient_(p.grad, p.detach(), l2, l1)


def _params():
    torch.manual_seed(0)
    a = torch.randn(4, 3, requires_grad=True)
    b = torch.tensor([0.0, -2.0, 0.5], requires_grad=True)
    return [a, b]


def test_l2_term_is_the_gradient_of_half_squared_norm():
    params = _params()
    for p in params:
        p.grad = torch.zeros_like(p)
    add_penalty_gradients(params, l2=0.085)
    expected = torch.autograd.grad(l2_penalty(params, 0.085), params)
    for p, g in zip(params, expected):
        assert torch.allclose(p.grad, g, rtol=1e-6)
        assert torch.allclose(p.grad, 0.085 * p.detach(), rtol=1e-6)  # closed form λθ


def test_l1_term_is_the_subgradient_with_sign_zero_at_zero():
    params = _params()
    for p in params:
        p.grad = torch.ones_like(p)
    add_penalty_gradients(params, l1=0.021)
    b = params[1]
    assert torch.allclose(b.grad, torch.tensor([1.0, 1 - 0.021, 1 + 0.021]))
    expected = torch.autograd.grad(l1_penalty(params[:1], 0.021), params[:1])[0]
    assert torch.allclose(params[0].grad - 1, expected, atol=1e-7)


def test_zero_strength_adds_nothing():
    params = _params()
    for p in params:
        p.grad = torch.full_like(p, 3.0)
    add_penalty_gradients(params)
    assert all(torch.equal(p.grad, torch.full_like(p, 3.0)) for p in params)
