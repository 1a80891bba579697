#include "common.h"

using ogan::unwrap;
using ogan::wrap;

namespace {

std::vector<int64_t> pair(const int64_t* values, const char* name) {
    if (values == nullptr) throw std::invalid_argument(std::string(name) + " is null");
    return {values[0], values[1]};
}

void require_4d(const at::Tensor& x, const char* op) {
    if (x.dim() != 4)
        throw std::invalid_argument(std::string(op) + " expects a 4-d input (N, C, H, W), got shape " +
                                    c10::str(x.sizes()));
}

}  // namespace

extern "C" {

ogan_tensor ogan_nn_linear(ogan_tensor input, ogan_tensor weight, ogan_tensor bias) {
    OGAN_TRY
    return wrap(at::linear(unwrap(input), unwrap(weight), ogan::optional(bias)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_conv2d(ogan_tensor input, ogan_tensor weight, ogan_tensor bias, const int64_t* stride,
                           const int64_t* padding, const int64_t* dilation, int64_t groups) {
    OGAN_TRY
    return wrap(at::conv2d(unwrap(input), unwrap(weight), ogan::optional(bias), pair(stride, "stride"),
                           pair(padding, "padding"), pair(dilation, "dilation"), groups));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_conv_transpose2d(ogan_tensor input, ogan_tensor weight, ogan_tensor bias, const int64_t* stride,
                                     const int64_t* padding, const int64_t* output_padding, const int64_t* dilation,
                                     int64_t groups) {
    OGAN_TRY
    return wrap(at::conv_transpose2d(unwrap(input), unwrap(weight), ogan::optional(bias), pair(stride, "stride"),
                                     pair(padding, "padding"), pair(output_padding, "output_padding"), groups,
                                     pair(dilation, "dilation")));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_batch_norm(ogan_tensor input, ogan_tensor weight, ogan_tensor bias, ogan_tensor running_mean,
                               ogan_tensor running_var, int training, double momentum, double eps) {
    OGAN_TRY
    if (!training && (running_mean == nullptr || running_var == nullptr))
        throw std::invalid_argument("batch_norm in eval mode needs running_mean and running_var");
    return wrap(at::batch_norm(unwrap(input), ogan::optional(weight), ogan::optional(bias),
                               ogan::optional(running_mean), ogan::optional(running_var), training != 0, momentum, eps,
                               at::globalContext().userEnabledCuDNN()));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_leaky_relu(ogan_tensor input, double negative_slope) {
    OGAN_TRY
    return wrap(at::leaky_relu(unwrap(input), negative_slope));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_interpolate(ogan_tensor input, int64_t out_h, int64_t out_w, int mode, int align_corners,
                                int antialias) {
    OGAN_TRY
    const at::Tensor& x = unwrap(input);
    require_4d(x, "interpolate");
    if (out_h < 1 || out_w < 1) throw std::invalid_argument("interpolate: output size must be positive");
    std::vector<int64_t> size{out_h, out_w};
    bool corners = align_corners != 0;
    switch (mode) {
        case OGAN_INTERPOLATE_NEAREST: return wrap(at::upsample_nearest2d(x, size));
        case OGAN_INTERPOLATE_BILINEAR:
            return wrap(antialias ? at::_upsample_bilinear2d_aa(x, size, corners)
                                  : at::upsample_bilinear2d(x, size, corners));
        case OGAN_INTERPOLATE_BICUBIC:
            return wrap(antialias ? at::_upsample_bicubic2d_aa(x, size, corners)
                                  : at::upsample_bicubic2d(x, size, corners));
        case OGAN_INTERPOLATE_AREA: return wrap(at::adaptive_avg_pool2d(x, size));
        default: throw std::invalid_argument("unknown interpolation mode " + std::to_string(mode));
    }
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_log_softmax(ogan_tensor input, int64_t dim) {
    OGAN_TRY
    return wrap(at::log_softmax(unwrap(input), dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_cross_entropy(ogan_tensor logits, ogan_tensor targets) {
    OGAN_TRY
    return wrap(at::cross_entropy_loss(unwrap(logits), unwrap(targets)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_nn_avg_pool2d(ogan_tensor input, int64_t kernel, int64_t stride) {
    OGAN_TRY
    return wrap(at::avg_pool2d(unwrap(input), {kernel, kernel}, {stride, stride}));
    OGAN_CATCH(nullptr)
}

}
