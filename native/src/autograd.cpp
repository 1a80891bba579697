#include "common.h"

using ogan::unwrap;
using ogan::wrap;

extern "C" {

int ogan_autograd_set_requires_grad(ogan_tensor t, int requires_grad) {
    OGAN_TRY
    unwrap(t).set_requires_grad(requires_grad != 0);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_autograd_requires_grad(ogan_tensor t) {
    OGAN_TRY
    return unwrap(t).requires_grad() ? 1 : 0;
    OGAN_CATCH(-1)
}

int ogan_autograd_grad(ogan_tensor t, ogan_tensor* grad_out) {
    OGAN_TRY
    const at::Tensor& g = unwrap(t).grad();
    *grad_out = g.defined() ? wrap(g) : nullptr;
    return 0;
    OGAN_CATCH(-1)
}

int ogan_autograd_zero_grad(ogan_tensor t) {
    OGAN_TRY
    // Like PyTorch's zero_grad(set_to_none=True): the next backward writes a fresh gradient.
    unwrap(t).mutable_grad().reset();
    return 0;
    OGAN_CATCH(-1)
}

int ogan_autograd_backward(ogan_tensor t, ogan_tensor grad, int retain_graph) {
    OGAN_TRY
    const at::Tensor& x = unwrap(t);
    if (!x.requires_grad())
        throw std::invalid_argument("backward: the tensor does not require grad and has no grad_fn");
    at::Tensor g = grad == nullptr ? at::Tensor() : unwrap(grad);
    x.backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_autograd_set_grad_enabled(int enabled) {
    bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled != 0);
    return previous ? 1 : 0;
}

int ogan_autograd_is_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }

}
