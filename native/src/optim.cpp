// Optimizer updates with PyTorch's single-tensor rules (torch/optim/adam.py, rmsprop.py), one native
// call per step for all parameters. The state tensors belong to the caller, so checkpoints can read them.
#include <cmath>

#include "common.h"

using ogan::unwrap;

namespace {

void check_same_shape(const at::Tensor& param, const at::Tensor& state, const char* name) {
    if (!param.sizes().equals(state.sizes()))
        throw std::invalid_argument(std::string(name) + " shape " + c10::str(state.sizes()) +
                                    " does not match its parameter's " + c10::str(param.sizes()));
}

}  // namespace

extern "C" {

int ogan_optim_adam_step(const ogan_tensor* params, const ogan_tensor* exp_avg, const ogan_tensor* exp_avg_sq,
                         int count, int64_t step, double lr, double beta1, double beta2, double eps,
                         double weight_decay) {
    OGAN_TRY
    if (step < 1) throw std::invalid_argument("adam: step counts from 1");
    auto ps = ogan::unwrap_all(params, count);
    auto ms = ogan::unwrap_all(exp_avg, count);
    auto vs = ogan::unwrap_all(exp_avg_sq, count);
    at::NoGradGuard no_grad;
    const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
    const double step_size = lr / bias_correction1;
    for (int i = 0; i < count; ++i) {
        at::Tensor grad = ps[i].grad();
        if (!grad.defined()) continue;
        check_same_shape(ps[i], ms[i], "exp_avg");
        check_same_shape(ps[i], vs[i], "exp_avg_sq");
        if (weight_decay != 0) grad = grad.add(ps[i], weight_decay);
        ms[i].mul_(beta1).add_(grad, 1.0 - beta1);
        vs[i].mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
        at::Tensor denom = (vs[i].sqrt() / bias_correction2_sqrt).add_(eps);
        ps[i].addcdiv_(ms[i], denom, -step_size);
    }
    return 0;
    OGAN_CATCH(-1)
}

int ogan_optim_rmsprop_step(const ogan_tensor* params, const ogan_tensor* square_avg, int count, double lr,
                            double alpha, double eps, double weight_decay) {
    OGAN_TRY
    auto ps = ogan::unwrap_all(params, count);
    auto ss = ogan::unwrap_all(square_avg, count);
    at::NoGradGuard no_grad;
    for (int i = 0; i < count; ++i) {
        at::Tensor grad = ps[i].grad();
        if (!grad.defined()) continue;
        check_same_shape(ps[i], ss[i], "square_avg");
        if (weight_decay != 0) grad = grad.add(ps[i], weight_decay);
        ss[i].mul_(alpha).addcmul_(grad, grad, 1.0 - alpha);
        at::Tensor avg = ss[i].sqrt().add_(eps);
        ps[i].addcdiv_(grad, avg, -lr);
    }
    return 0;
    OGAN_CATCH(-1)
}

}
