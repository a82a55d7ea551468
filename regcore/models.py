"""The post's two models, built under its seeding protocol, and parameter flattening.

* :class:`Linear` — one ``nn.Linear(dims, 1)``; the baseline of chapter "The toy problem".
* :class:`MLP` — ``Linear → Dropout(p) → ReLU → … → Linear`` (dropout *before* the activation, as
  in the post); chapter "An MLP that overfits" and every regularised run.

Both constructors create their layers in order under the post's seeding protocol
(:func:`regcore.seeding.post_protocol`, scoped: the caller's generators are left as they were), so
the initial weights equal the original code's. :func:`flatten_params` is the single place that defines the
order of the flat parameter vector used by snapshots, norms and theory checks; :func:`load_flat`
puts such a vector back into a model (a sweep member's parameters, for chapter "Noise injection").
"""
from __future__ import annotations

import torch
from torch import nn

from .settings import check_setting
from .seeding import post_protocol


class Linear(nn.Module):
    """A linear model ``x ↦ xW + b`` with ``dims`` inputs and one output.

    Its one layer, ``nn.Linear(dims, 1)``, is created under the post's seeding protocol with
    ``seed`` (scoped: the caller's generators are left as they were), so its initial weights are
    the original code's.

    Parameters
    ----------
    dims : int, optional
        Number of inputs, the data's ``dims``; >= 1. Default ``50``.
    seed : int, optional
        Init seed, an integer in ``[0, 2**32)``. Default ``42``.

    Attributes
    ----------
    sizes : tuple
        ``(dims, 1)``, the input and output widths (read by
        :func:`regcore.training.check_model_fits`).
    net : torch.nn.Linear
        The layer.

    Raises
    ------
    ValueError
        When ``dims`` or ``seed`` is not allowed (the message names it).
    """

    def __init__(self, dims: int = 50, seed: int = 42):
        dims = check_setting("dims", dims)
        seed = check_setting("seed", seed)
        super().__init__()
        self.sizes = (dims, 1)
        with post_protocol(seed):
            self.net = nn.Linear(dims, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The model's output ``xW + b`` for the inputs ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(rows, dims)``.

        Returns
        -------
        torch.Tensor
            Outputs, ``(rows, 1)``.
        """
        return self.net(x)


class MLP(nn.Module):
    """A ReLU network with layer widths ``sizes`` and dropout ``dropout`` before each activation.

    Each hidden layer is ``Linear → Dropout(dropout) → ReLU`` (dropout *before* the activation, as
    in the post); the last layer is a plain ``Linear``. The layers are created in order under the
    post's seeding protocol with ``seed`` (scoped: the caller's generators are left as they were),
    so the initial weights are the original code's.

    Parameters
    ----------
    sizes : sequence of int, optional
        Layer widths: input, hidden..., output. At least two, each an integer >= 1, the last 1.
        Default ``(50, 25, 25, 1)``, the post's.
    dropout : float, optional
        Dropout probability of the hidden layers, in ``[0, 1)``. Default ``0.0``.
    seed : int, optional
        Init seed, an integer in ``[0, 2**32)``. Default ``42``.

    Attributes
    ----------
    sizes : tuple
        The layer widths, as checked (a tuple of int).
    dropout : float
        The dropout probability.
    net : torch.nn.Sequential
        The layers, in order.

    Raises
    ------
    ValueError
        When ``sizes``, ``dropout`` or ``seed`` is not allowed (the message names it).
    """

    def __init__(self, sizes=(50, 25, 25, 1), dropout: float = 0.0, seed: int = 42):
        sizes = check_setting("sizes", sizes)
        dropout = check_setting("dropout", dropout)
        seed = check_setting("seed", seed)
        super().__init__()
        self.sizes = sizes
        self.dropout = dropout
        layers: list[nn.Module] = []
        with post_protocol(seed):
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers.append(nn.Linear(n_in, n_out))
                if i < len(sizes) - 2:
                    layers += [nn.Dropout(dropout), nn.ReLU()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The network's output for the inputs ``x`` (dropout is active in training mode only).

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(rows, sizes[0])``.

        Returns
        -------
        torch.Tensor
            Outputs, ``(rows, 1)``.
        """
        # Each layer's own forward, without nn.Module's hook machinery: the same operations
        # (and random draws) as ``self.net(x)``, a few microseconds less per layer per step.
        for layer in self.net:
            x = layer.forward(x)
        return x

    def forward_hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list]:
        """The output for ``x`` and every hidden layer's activations (after its ReLU).

        The same operations and random draws as :meth:`forward`; used by
        :func:`regcore.training.fit` for the activation penalty
        (:attr:`regcore.training.TrainSettings.activation_l1`) and to count the units that fire
        per input (chapter "L1 on activations").

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(rows, sizes[0])``.

        Returns
        -------
        out : torch.Tensor
            Outputs, ``(rows, sizes[-1])``.
        hidden : list of torch.Tensor
            One ``(rows, width)`` tensor per hidden layer, in order.
        """
        hidden = []
        for layer in self.net:
            x = layer.forward(x)
            if isinstance(layer, nn.ReLU):
                hidden.append(x)
        return x, hidden


def flatten_params(model: nn.Module) -> torch.Tensor:
    """All parameters of ``model`` in registration order, as one detached 1-D tensor.

    The single place that defines the order of the flat parameter vector used by snapshots, norms
    and theory checks.

    Parameters
    ----------
    model : torch.nn.Module
        The model; its ``parameters()`` are concatenated in that order.

    Returns
    -------
    torch.Tensor
        A new 1-D tensor of :func:`count_params` entries, outside autograd.
    """
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def count_params(model: nn.Module) -> int:
    """Number of scalar parameters of ``model``.

    Parameters
    ----------
    model : torch.nn.Module
        The model.

    Returns
    -------
    int
        The sum of ``numel()`` over ``model.parameters()``.
    """
    return sum(p.numel() for p in model.parameters())


def load_flat(model: nn.Module, theta) -> nn.Module:
    """Copy a flat parameter vector into ``model``, in the order of :func:`flatten_params`.

    The inverse of :func:`flatten_params`: a sweep keeps each member's parameters as such a vector
    (:attr:`regcore.sweep.settings.SweepResult.best_theta`), and this turns one back into a model
    that can be evaluated or differentiated (chapter "Noise injection"). The values are cast to
    each parameter's dtype and device.

    Parameters
    ----------
    model : torch.nn.Module
        The model to fill, e.g. ``MLP(sizes)``; changed in place.
    theta : array_like
        The flat vector, :func:`count_params` ``(model)`` numbers.

    Returns
    -------
    torch.nn.Module
        ``model``, so that the call can end an expression.

    Raises
    ------
    ValueError
        When ``theta`` is not a 1-D vector of :func:`count_params` ``(model)`` numbers (the
        message names it).
    """
    flat = torch.as_tensor(theta)
    n = count_params(model)
    if flat.ndim != 1 or flat.numel() != n:
        raise ValueError(f"theta of shape {tuple(flat.shape)} is not allowed: theta must be a 1-D "
                         f"vector of the model's {n} parameters")
    with torch.no_grad():
        start = 0
        for p in model.parameters():
            p.copy_(flat[start:start + p.numel()].reshape(p.shape).to(p.dtype))
            start += p.numel()
    return model
