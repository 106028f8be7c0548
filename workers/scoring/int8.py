"""int8 Linear layers whose activations are quantised per token, for fast CPU inference.

torch's dynamic quantisation scales a layer's input by the range of the whole batch, so a
comment's score moved with the other comments (and the padding) in its micro-batch, by up
to 0.4 on typical comments. Here each token (row) gets its own scale and each output
channel of the weight its own, and the product is an exact int32 matrix multiply
(torch._int_mm), so a row's result depends on that row alone. What remains is fp32 noise
elsewhere in the model, which can tip a rounding; measured in workers/abuse_model/MODEL_CARD.md.
"""

from __future__ import annotations

import torch


class Int8Linear(torch.nn.Module):
    """y = (q(x) @ q(W)ᵀ) · sx · sw + b, with q() symmetric int8: per row of x, per output channel of W."""

    # buffers, registered in __init__
    weight_t: torch.Tensor
    weight_scale: torch.Tensor
    bias: torch.Tensor | None

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127
        self.register_buffer("weight_t", torch.round(weight / scale).to(torch.int8).t().contiguous())
        self.register_buffer("weight_scale", scale.t().contiguous())
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().float().clone())
        self.out_features = linear.out_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1])
        scale = rows.abs().amax(dim=1, keepdim=True).clamp_(min=1e-8).div_(127)
        quantised = (rows / scale).round_().to(torch.int8)
        out = torch._int_mm(quantised, self.weight_t).to(torch.float32).mul_(scale).mul_(self.weight_scale)
        if self.bias is not None:
            out.add_(self.bias)
        return out.reshape(*x.shape[:-1], self.out_features)


def quantise_linear_layers(model: torch.nn.Module, keep: tuple[str, ...] = ("classifier",)) -> torch.nn.Module:
    """Replace the model's Linear layers, in place, except those under the named submodules
    (the small classification head stays fp32)."""
    for parent_name, parent in list(model.named_modules()):
        for name, child in list(parent.named_children()):
            top = (parent_name or name).split(".")[0]
            if isinstance(child, torch.nn.Linear) and top not in keep:
                setattr(parent, name, Int8Linear(child))
    return model
