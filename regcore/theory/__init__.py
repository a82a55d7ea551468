"""Theory, checked: one module per result, each with a closed form on the book's data (derived
with SymPy where there is a derivation to show) and checks against models trained with regcore.

Every ``check*`` function returns a :class:`~regcore.theory.check.Check` (measured agreement,
tolerance, what the tolerance rests on); the chapters of the parts "Theory, checked" and "What
else regularises" assert them
while the book builds, and ``tests/theory`` runs the same checks with the same tolerances.

========================  ===================================================================
module                    chapter
========================  ===================================================================
``ridge_eigen``           Weight decay in the Hessian's eigenbasis
``gradient_identities``   Weight decay in the Hessian's eigenbasis (the identities)
``l1_threshold``          L1: soft-thresholding and where sparsity shows
``dropout_ridge``         Dropout on a linear model
``ols_risk``              The best a linear model can score
``implicit_gd``           Implicit regularisation of gradient descent
``adam_l2_vs_adamw``      Adam + L2 versus AdamW
``early_stopping``        Early stopping as L2
``double_descent``        Double descent, and the regularisation that removes it (part four)
``noise_injection``       Noise injection is Tikhonov regularisation (part four)
``sparse_code``           L1 on activations: a toy sparse autoencoder (part four)
========================  ===================================================================

Shared: :mod:`~regcore.theory.quadratic` (the linear model's loss as a quadratic),
:mod:`~regcore.figures.theory` (the figures).
"""
from .check import Check

__all__ = ["Check"]

