#include "common.h"

using ogan::unwrap;
using ogan::wrap;

namespace {

at::Tensor unary(const at::Tensor& x, int op) {
    switch (op) {
        case OGAN_UNARY_NEG: return x.neg();
        case OGAN_UNARY_EXP: return x.exp();
        case OGAN_UNARY_LOG: return x.log();
        case OGAN_UNARY_SQRT: return x.sqrt();
        case OGAN_UNARY_RSQRT: return x.rsqrt();
        case OGAN_UNARY_ABS: return x.abs();
        case OGAN_UNARY_SQUARE: return x.square();
        case OGAN_UNARY_RELU: return x.relu();
        case OGAN_UNARY_TANH: return x.tanh();
        case OGAN_UNARY_SIGMOID: return x.sigmoid();
        case OGAN_UNARY_SIGN: return x.sign();
        case OGAN_UNARY_FLOOR: return x.floor();
        case OGAN_UNARY_ROUND: return x.round();
        case OGAN_UNARY_ISFINITE: return x.isfinite();
        case OGAN_UNARY_SOFTPLUS: return at::softplus(x);
        case OGAN_UNARY_LOGICAL_NOT: return x.logical_not();
        default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
    }
}

// Works for a tensor or a scalar right-hand side: B is at::Tensor or at::Scalar.
template <typename B>
at::Tensor binary(const at::Tensor& a, const B& b, int op) {
    switch (op) {
        case OGAN_BINARY_ADD: return at::add(a, b);
        case OGAN_BINARY_SUB: return at::sub(a, b);
        case OGAN_BINARY_MUL: return at::mul(a, b);
        case OGAN_BINARY_DIV: return at::div(a, b);
        case OGAN_BINARY_POW: return at::pow(a, b);
        case OGAN_BINARY_EQ: return at::eq(a, b);
        case OGAN_BINARY_NE: return at::ne(a, b);
        case OGAN_BINARY_LT: return at::lt(a, b);
        case OGAN_BINARY_LE: return at::le(a, b);
        case OGAN_BINARY_GT: return at::gt(a, b);
        case OGAN_BINARY_GE: return at::ge(a, b);
        default: break;
    }
    if constexpr (std::is_same_v<B, at::Tensor>) {
        if (op == OGAN_BINARY_MAXIMUM) return at::maximum(a, b);
        if (op == OGAN_BINARY_MINIMUM) return at::minimum(a, b);
    } else {
        if (op == OGAN_BINARY_MAXIMUM) return at::clamp_min(a, b);
        if (op == OGAN_BINARY_MINIMUM) return at::clamp_max(a, b);
    }
    throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

template <typename B>
void binary_inplace(const at::Tensor& a, const B& b, int op) {
    switch (op) {
        case OGAN_BINARY_ADD: a.add_(b); return;
        case OGAN_BINARY_SUB: a.sub_(b); return;
        case OGAN_BINARY_MUL: a.mul_(b); return;
        case OGAN_BINARY_DIV: a.div_(b); return;
        case OGAN_BINARY_POW: a.pow_(b); return;
        default: throw std::invalid_argument("binary op " + std::to_string(op) + " has no in-place form");
    }
}

at::Tensor reduce(const at::Tensor& x, int op, std::vector<int64_t> dims, bool keepdim, int correction) {
    bool all = dims.empty();
    if (all && keepdim)
        for (int64_t d = 0; d < x.dim(); ++d) dims.push_back(d);
    bool full = all && !keepdim;
    at::IntArrayRef d(dims);
    switch (op) {
        case OGAN_REDUCE_SUM: return full ? x.sum() : at::sum(x, d, keepdim);
        case OGAN_REDUCE_MEAN: return full ? x.mean() : at::mean(x, d, keepdim);
        case OGAN_REDUCE_STD: return full ? at::std(x, correction != 0) : at::std(x, d, correction != 0, keepdim);
        case OGAN_REDUCE_VAR: return full ? at::var(x, correction != 0) : at::var(x, d, correction != 0, keepdim);
        case OGAN_REDUCE_NORM:
            return full ? at::norm(x) : at::norm(x, 2, d, keepdim);
        case OGAN_REDUCE_MAX:
        case OGAN_REDUCE_MIN:
        case OGAN_REDUCE_ARGMAX: {
            if (full) {
                if (op == OGAN_REDUCE_ARGMAX) return at::argmax(x, c10::nullopt, false);
                return op == OGAN_REDUCE_MAX ? x.max() : x.min();
            }
            if (op == OGAN_REDUCE_ARGMAX) {
                if (dims.size() != 1) throw std::invalid_argument("argmax reduces over one dimension");
                return at::argmax(x, dims[0], keepdim);
            }
            return op == OGAN_REDUCE_MAX ? at::amax(x, d, keepdim) : at::amin(x, d, keepdim);
        }
        default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
}

// An integral value crosses as an integral Scalar, so that int64 tensors stay int64 (count += 1).
at::Scalar scalar_for(const at::Tensor& t, double value) {
    if (at::isIntegralType(t.scalar_type(), /*includeBool=*/false) && value == static_cast<double>(static_cast<int64_t>(value)))
        return at::Scalar(static_cast<int64_t>(value));
    return at::Scalar(value);
}

}  // namespace

extern "C" {

ogan_tensor ogan_math_unary(ogan_tensor t, int op) {
    OGAN_TRY
    return wrap(unary(unwrap(t), op));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_binary(ogan_tensor a, ogan_tensor b, int op) {
    OGAN_TRY
    return wrap(binary(unwrap(a), unwrap(b), op));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_binary_scalar(ogan_tensor a, double b, int op) {
    OGAN_TRY
    const at::Tensor& x = unwrap(a);
    return wrap(binary(x, scalar_for(x, b), op));
    OGAN_CATCH(nullptr)
}

int ogan_math_binary_(ogan_tensor a, ogan_tensor b, int op) {
    OGAN_TRY
    binary_inplace(unwrap(a), unwrap(b), op);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_math_binary_scalar_(ogan_tensor a, double b, int op) {
    OGAN_TRY
    const at::Tensor& x = unwrap(a);
    binary_inplace(x, scalar_for(x, b), op);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_math_add_scaled_(ogan_tensor a, ogan_tensor b, double alpha) {
    OGAN_TRY
    unwrap(a).add_(unwrap(b), alpha);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_math_lerp_(ogan_tensor a, ogan_tensor b, double weight) {
    OGAN_TRY
    unwrap(a).lerp_(unwrap(b), weight);
    return 0;
    OGAN_CATCH(-1)
}

ogan_tensor ogan_math_clamp(ogan_tensor t, double min, double max, int has_min, int has_max) {
    OGAN_TRY
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
    return wrap(at::clamp(unwrap(t), lo, hi));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_where(ogan_tensor condition, ogan_tensor a, ogan_tensor b) {
    OGAN_TRY
    return wrap(at::where(unwrap(condition), unwrap(a), unwrap(b)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_reduce(ogan_tensor t, int op, const int64_t* dims, int ndims, int keepdim, int correction) {
    OGAN_TRY
    return wrap(reduce(unwrap(t), op, ogan::to_vector(dims, ndims), keepdim != 0, correction));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_matmul(ogan_tensor a, ogan_tensor b) {
    OGAN_TRY
    return wrap(at::matmul(unwrap(a), unwrap(b)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_math_sort(ogan_tensor t, int64_t dim, int descending) {
    OGAN_TRY
    return wrap(std::get<0>(at::sort(unwrap(t), dim, descending != 0)));
    OGAN_CATCH(nullptr)
}

}
